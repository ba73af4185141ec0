import { createRedis, EventSourcing } from '@ezlive/infra';
import { publish, type Publisher } from '../support/publisher';
import { FaultCluster, HEARTBEAT_TIMEOUT_MS, type JobView } from './support/cluster';
import { LIGHT_SPEC, mediaPlaylist, probePlayback, recordTiming } from './support/media';

jest.setTimeout(150_000);

describe('worker and FFmpeg faults (real stack on loopback)', () => {
  let cluster: FaultCluster;
  const publishers: Publisher[] = [];

  afterEach(async () => {
    publishers.splice(0).forEach((p) => p.stop());
    if (cluster) {
      expect(cluster.leakedSecrets()).toEqual([]);
      await cluster.stop();
      expect(cluster.ffmpegPids()).toEqual([]);
    }
  });

  /** Publishes to the job's current ingest URL and waits for `segments` segments. */
  async function live(job: JobView, segments = 2): Promise<JobView> {
    const view = await cluster.waitFor(`ingest of ${job.id}`, async () => {
      const j = await cluster.job(job.id);
      return j.ingest.status === 'ready' && j;
    });
    publishers.push(publish(view.ingest.rtmp!, { seconds: 120 }));
    await cluster.waitFor(
      `${segments} segments of ${job.id}`,
      async () => ((await mediaPlaylist(view.playback.hls!))?.segments.length ?? 0) >= segments,
      40_000,
    );
    return view;
  }

  /** One live job on worker-1 with an empty worker-2 up: the setup of a fault that moves it. */
  async function liveOnWorker1(): Promise<JobView> {
    cluster = await FaultCluster.start({ workers: 1 });
    const created = await cluster.createJob(LIGHT_SPEC);
    await cluster.waitForState(created.id, 'running', 'worker-1');
    await cluster.startWorker('worker-2');
    return live(created);
  }

  it('SIGKILL a worker running 3 live jobs: all reassigned to the survivor, same playback URLs, they play again', async () => {
    cluster = await FaultCluster.start({ workers: 1 });
    const jobs = await Promise.all([1, 2, 3].map(() => cluster.createJob(LIGHT_SPEC)));
    for (const j of jobs) await cluster.waitForState(j.id, 'running', 'worker-1');
    await cluster.startWorker('worker-2');
    const before = await Promise.all(jobs.map((j) => live(j)));

    cluster.node('worker-1').signal('SIGKILL');
    const t0 = Date.now();
    const after = await Promise.all(
      jobs.map((j) => cluster.waitForState(j.id, 'running', 'worker-2', 30_000)),
    );
    recordTiming(
      'worker SIGKILL → 3 jobs accepting ingest on the survivor',
      Date.now() - t0,
      HEARTBEAT_TIMEOUT_MS + 3000,
    );

    for (const [i, j] of after.entries()) {
      expect(j.playback).toEqual(before[i].playback);
      expect(j.attempt).toBe(2);
      expect(j.ingest.rtmp).not.toEqual(before[i].ingest.rtmp); // another worker's port
      const types = (await cluster.events(j.id)).map((e) => e.type);
      expect(types.filter((t) => t === 'JobReassigned')).toHaveLength(1);
    }
    // The dead worker's FFmpeg processes die with it (the orphan watchdog).
    await cluster.waitFor(
      'worker-1 FFmpeg gone',
      () => cluster.ffmpegPids('worker-1').length === 0,
    );

    publishers.splice(0).forEach((p) => p.stop());
    const sequences = await Promise.all(
      after.map(async (j) => (await mediaPlaylist(j.playback.hls!))!),
    );
    for (const j of after) publishers.push(publish(j.ingest.rtmp!, { seconds: 120 }));
    // A publisher that gave up says why in the timeout message (it would never come back).
    const gaveUp = new Map<number, string>();
    publishers.forEach(
      (p, i) => void p.done.then((r) => gaveUp.set(i, `exit ${r.code}: ${r.stderr.slice(-300)}`)),
    );
    for (const [i, j] of after.entries()) {
      await cluster.waitFor(
        `new segments of ${j.id}`,
        async () => {
          if (gaveUp.has(i)) throw new Error(`its publisher ended, ${gaveUp.get(i)}`);
          const p = await mediaPlaylist(j.playback.hls!);
          if (!p) return false;
          // Segments after the newest discontinuity: media of the run on the survivor. (Not
          // "more segments than before": a run after a restart starts a new window, so a
          // long first run could never be outnumbered within the bound.)
          const restarted = p.text.slice(p.text.lastIndexOf('#EXT-X-DISCONTINUITY'));
          const fresh = restarted.split('\n').filter((l) => l && !l.startsWith('#')).length;
          return (
            p.discontinuities > sequences[i].discontinuities &&
            p.sequence >= sequences[i].sequence &&
            fresh >= 3
          );
        },
        40_000,
      );
      expect(await probePlayback(j.playback.hls!)).toEqual({ video: ['426x240'], audio: true });
    }
  });

  it('SIGTERM a worker with a live job: it drains (FFmpeg stopped, clean exit) and the job moves on at once', async () => {
    const job = await liveOnWorker1();
    expect(cluster.ffmpegPids('worker-1')).toHaveLength(1);

    const worker = cluster.node('worker-1');
    const t0 = Date.now();
    await worker.stop(20_000); // SIGTERM; SIGKILL only if it does not exit within 20 s
    // Nest re-raises SIGTERM after its shutdown hooks ran, so either is a clean exit.
    const { exitCode, signalCode } = worker.child;
    expect(exitCode === 0 || signalCode === 'SIGTERM').toBe(true);
    expect(cluster.ffmpegPids('worker-1')).toEqual([]);
    const after = await cluster.waitForState(job.id, 'running', 'worker-2', 30_000);
    recordTiming(
      'worker SIGTERM → drained and the job accepting ingest elsewhere',
      Date.now() - t0,
    );
    expect(after.playback).toEqual(job.playback);
    expect(after.attempt).toBe(2);
    // It left the membership itself: no one had to declare it lost.
    const types = (await cluster.events(job.id)).map((e) => e.type);
    expect(types.filter((t) => t === 'JobReassigned')).toHaveLength(1);
    const redis = createRedis(cluster.redis.url);
    try {
      const es = new EventSourcing(redis, { prefix: cluster.prefix, partitions: 16 });
      const membership = (await es.store.readStream('worker-worker-1')).map((e) => e.type);
      expect(membership.slice(-2)).toEqual(['WorkerDraining', 'WorkerDeregistered']);
      expect(membership).not.toContain('WorkerLost');
    } finally {
      redis.disconnect();
    }
  });

  it('SIGKILL the FFmpeg of a live job: restarted, the playlist continues with a discontinuity', async () => {
    cluster = await FaultCluster.start({ workers: 1 });
    const job = await live(await cluster.createJob(LIGHT_SPEC), 3);
    const [pid] = cluster.ffmpegPids('worker-1');
    const before = (await mediaPlaylist(job.playback.hls!))!;

    process.kill(pid, 'SIGKILL');
    const t0 = Date.now();
    const [next] = await cluster.waitFor('a new FFmpeg', () => {
      const pids = cluster.ffmpegPids('worker-1').filter((p) => p !== pid);
      return pids.length > 0 && pids;
    });
    recordTiming('FFmpeg SIGKILL → transcoder restarted', Date.now() - t0, 2000);
    expect(next).not.toBe(pid);

    const after = await cluster.waitFor(
      'segments after the restart',
      async () => {
        const p = await mediaPlaylist(job.playback.hls!);
        return p && p.discontinuities >= 1 && p.segments.length >= before.segments.length + 2 && p;
      },
      30_000,
    );
    expect(after.sequence).toBeGreaterThanOrEqual(before.sequence); // monotonic
    // Segments written before the crash keep their names; the new run writes new names.
    const fresh = after.segments.filter((s) => !before.segments.includes(s));
    expect(fresh.length).toBeGreaterThanOrEqual(2);
    expect(after.segments.slice(0, after.segments.length - fresh.length)).toEqual(
      before.segments.slice(before.segments.length - (after.segments.length - fresh.length)),
    );
    const restarted = (await cluster.events(job.id)).filter(
      (e) => e.type === 'TranscoderRestarted',
    );
    expect(restarted).toHaveLength(1);
    expect(restarted[0].data).toMatchObject({
      attempt: 1,
      signal: 'SIGKILL',
    });
    expect(await probePlayback(job.playback.hls!)).toEqual({ video: ['426x240'], audio: true });

    // A user's stop ends the transcoder while the publisher is still sending.
    const stopAt = Date.now();
    expect((await cluster.request('POST', `/v1/jobs/${job.id}/stop`)).status).toBe(202);
    await cluster.waitFor('FFmpeg gone after stop', () => cluster.ffmpegPids().length === 0);
    recordTiming('API stop → FFmpeg gone', Date.now() - stopAt, 1000);
    await cluster.waitForState(job.id, 'stopped');
  });

  it('SIGSTOP a worker past the timeout, then SIGCONT: the job runs elsewhere and the returning worker kills its stale FFmpeg', async () => {
    const job = await liveOnWorker1();
    const [stale] = cluster.ffmpegPids('worker-1');
    expect(stale).toBeDefined();

    cluster.node('worker-1').signal('SIGSTOP');
    const t0 = Date.now();
    const moved = await cluster.waitForState(job.id, 'running', 'worker-2', 30_000);
    recordTiming(
      'worker SIGSTOP → job accepting ingest elsewhere',
      Date.now() - t0,
      HEARTBEAT_TIMEOUT_MS + 3000,
    );
    publishers.splice(0).forEach((p) => p.stop());
    const fresh = await live(moved, 1);
    await cluster.waitFor(
      'the job transcoding on worker-2',
      () => cluster.ffmpegPids('worker-2').length === 1,
    );

    cluster.node('worker-1').signal('SIGCONT');
    const t1 = Date.now();
    await cluster.waitFor(
      'the returning worker kills its stale FFmpeg',
      () => cluster.ffmpegPids('worker-1').length === 0,
    );
    recordTiming('SIGCONT → stale FFmpeg killed by the returning worker', Date.now() - t1);
    // One FFmpeg for the job, on the worker that owns it now; worker-1 is back and healthy.
    expect(cluster.ffmpegPids('worker-2')).toHaveLength(1);
    expect(cluster.node('worker-1').alive).toBe(true);
    expect((await cluster.job(job.id)).workerId).toBe('worker-2');
    const before = (await mediaPlaylist(fresh.playback.hls!))!;
    await cluster.waitFor('the stream goes on', async () => {
      const p = await mediaPlaylist(fresh.playback.hls!);
      return p && p.sequence + p.segments.length > before.sequence + before.segments.length;
    });
  });
});
