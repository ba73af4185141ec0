import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publish, type Publisher } from '../support/publisher';
import { FaultCluster, sleep } from './support/cluster';
import { LIGHT_SPEC } from './support/media';

jest.setTimeout(120_000);

/** CPU seconds (user + system) a process has used, from /proc (100 ticks per second). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('output faults (real stack on loopback)', () => {
  let cluster: FaultCluster;
  let publisher: Publisher | undefined;
  const mount = mkdtempSync(join(tmpdir(), 'ezlive-ro-media-'));

  beforeAll(() => {
    // A real file system that a test can make read-only under a running job (as root: a
    // tmpfs remounted read-only), not a mock.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mount]);
    mkdirSync(join(mount, 'media'));
  });
  afterAll(async () => {
    publisher?.stop();
    if (cluster) {
      expect(cluster.leakedSecrets()).toEqual([]);
      await cluster.stop();
    }
    execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it('the media volume turns read-only under a live job: a clear job error, no crash loop eating CPU', async () => {
    cluster = await FaultCluster.start({
      workers: 1,
      workerEnv: () => ({ MEDIA_DIR: join(mount, 'media'), RESTART_MAX_ATTEMPTS: '3' }),
    });
    const job = await cluster.createJob(LIGHT_SPEC);
    const ready = await cluster.waitFor('ingest ready', async () => {
      const j = await cluster.job(job.id);
      return j.ingest.status === 'ready' && j;
    });
    publisher = publish(ready.ingest.rtmp!, { seconds: 90 });
    await cluster.waitFor(
      'segments on the volume',
      () => existsSync(join(mount, 'media', job.id, '240p', 'index.m3u8')),
      30_000,
    );
    execFileSync('mount', ['-o', 'remount,ro', mount]);

    await cluster.waitForState(job.id, 'failed', undefined, 60_000);
    const events = await cluster.events(job.id);
    const failed = events.find((e) => e.type === 'JobFailed')!;
    expect(String(failed.data.reason)).toMatch(/read-only file system/i);
    // Bounded: the restart budget (3), with backoff, then the job gives up.
    expect(events.filter((e) => e.type === 'TranscoderRestarted').length).toBeLessThanOrEqual(3);

    // Afterwards the worker is idle: no FFmpeg, next to no CPU, still healthy.
    const worker = cluster.node('worker-1');
    const before = cpuSeconds(worker.pid);
    await sleep(3000);
    expect(cpuSeconds(worker.pid) - before).toBeLessThan(0.5);
    expect(cluster.ffmpegPids()).toEqual([]);
    expect(worker.alive).toBe(true);

    // A job placed on the read-only volume fails at once, before any publisher.
    const next = await cluster.createJob(LIGHT_SPEC);
    await cluster.waitForState(next.id, 'failed');
    const reason = (await cluster.events(next.id)).find((e) => e.type === 'JobFailed')!.data.reason;
    expect(reason).toMatch(/^output directory is not writable: EROFS: read-only file system/);
  });
});
