import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import {
  estimateJobCost,
  handleCommand,
  jobDecider,
  jobStreamId,
  validateJobSpec,
  type JobCommand,
  type JobSpec,
} from '@ezlive/domain';
import {
  commandContext,
  EventSourcing,
  fingerprint,
  JobSecretsStore,
  JobStatsStore,
  mintJobSecrets,
  newId,
} from '@ezlive/infra';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { publish, type Publisher } from '../../../../test/support/publisher';
import { startSqsServer } from '../../../../test/support/sqs';
import { dropPrefix, testRedis, uniquePrefix } from '../../../../test/support/redis';
import { JobReporter } from './job-reporter';
import { JobRuntime } from './job-runtime';

jest.setTimeout(60_000);

const WORKER = 'w-test';

/** A fauxqs S3 server with an empty `media` bucket for `fn`, stopped afterwards. */
async function withS3Bucket(fn: (s3: S3Client, endpoint: string) => Promise<void>): Promise<void> {
  const server = await startSqsServer();
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'media' }));
    await fn(s3, server.endpoint);
  } finally {
    s3.destroy();
    await server.stop();
  }
}

function spec(
  reconnectWindowSec: number,
  protocol: 'rtmp' | 'srt' = 'rtmp',
  destination?: object,
  codec: 'h264' | 'av1' = 'h264',
  formats: Array<'hls' | 'dash'> = ['hls'],
): JobSpec {
  const encoder = codec === 'av1' ? { codec, preset: '12' } : { codec, preset: 'ultrafast' };
  const r = validateJobSpec({
    name: 'runtime test',
    input: { protocol, reconnectWindowSec },
    output: {
      formats,
      segmentDurationSec: 1,
      windowSec: destination ? 6 : 30,
      ...(destination ? { destination } : {}),
    },
    video: [
      {
        name: '240p',
        width: 426,
        height: 240,
        bitrateKbps: 400,
        ...encoder,
      },
      {
        name: '144p',
        width: 256,
        height: 144,
        bitrateKbps: 150,
        ...encoder,
      },
    ],
    audio: [{ name: 'aac', codec: 'aac', bitrateKbps: 64 }],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.spec;
}

async function until<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('worker JobRuntime (real Redis, real FFmpeg)', () => {
  let redis: Redis;
  let prefix: string;
  let es: EventSourcing;
  let secrets: JobSecretsStore;
  let runtime: JobRuntime;
  let reporter: JobReporter;
  let media: string;
  let port: number;
  const publishers: Publisher[] = [];

  beforeEach(async () => {
    redis = testRedis();
    prefix = uniquePrefix('worker');
    es = new EventSourcing(redis, { prefix, partitions: 4 });
    secrets = new JobSecretsStore(redis, es.keys);
    media = mkdtempSync(join(tmpdir(), 'ezlive-worker-'));
    reporter = new JobReporter(es.store, WORKER);
    runtime = new JobRuntime(
      {
        workerId: WORKER,
        publicHost: '127.0.0.1',
        rtmpPort: 0,
        srtPortRange: [31000 + (process.pid % 500) * 4, 31003 + (process.pid % 500) * 4],
        mediaDir: media,
        stagingDir: join(media, 'staging'),
        s3: { region: 'us-east-1', accessKeyId: 'local', secretAccessKey: 'local' },
        runDir: join(media, 'run'),
        ffmpegPath: 'ffmpeg',
        ffprobePath: 'ffprobe',
        stopTimeoutMs: 800,
        restartMaxAttempts: 3,
        statsIntervalMs: 500,
        log: () => undefined,
      },
      reporter,
      secrets,
      new JobStatsStore(redis, es.keys),
    );
    port = await runtime.start();
  });
  afterEach(async () => {
    publishers.forEach((p) => p.stop());
    await runtime.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    rmSync(media, { recursive: true, force: true });
  });

  const run = (jobId: string, c: JobCommand) =>
    handleCommand(es.store, jobStreamId(jobId), jobDecider, c, commandContext('scheduler'), {
      metadata: { jobId },
    });
  const types = async (jobId: string) =>
    (await es.store.readStream(jobStreamId(jobId))).map((e) => e.type);

  /** A job created and assigned to this worker, with its stream key. */
  async function assignedJob(
    reconnectWindowSec = 0,
    protocol: 'rtmp' | 'srt' = 'rtmp',
    destination?: object,
    codec?: 'h264' | 'av1',
    formats?: Array<'hls' | 'dash'>,
  ): Promise<{ jobId: string; streamKey: string; srtPassphrase: string }> {
    const jobId = newId();
    const s = mintJobSecrets();
    await secrets.put(jobId, s);
    await run(jobId, {
      type: 'CreateJob',
      data: {
        jobId,
        spec: spec(reconnectWindowSec, protocol, destination, codec, formats),
        warnings: [],
        streamKeyFingerprint: fingerprint(s.streamKey),
      },
    });
    await run(jobId, { type: 'QueueJob', data: { cost: 10 } });
    await run(jobId, { type: 'AssignJob', data: { workerId: WORKER } });
    return { jobId, streamKey: s.streamKey, srtPassphrase: s.srtPassphrase };
  }

  const start = (url: string, seconds = 30) => {
    const p = publish(url, { seconds });
    publishers.push(p);
    return p;
  };
  const mediaSequence = (jobId: string, rendition: string) =>
    Number(
      /#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(
        readFileSync(join(media, jobId, rendition, 'index.m3u8'), 'utf8'),
      )?.[1],
    );
  const segments = (jobId: string, rendition: string) => {
    const text = readFileSync(join(media, jobId, rendition, 'index.m3u8'), 'utf8');
    return text.split('\n').filter((l) => l && !l.startsWith('#'));
  };

  it('right key → JobRunning, IngestStarted and a playable ladder; stop → FFmpeg gone and JobStopped', async () => {
    const { jobId, streamKey } = await assignedJob();
    expect(await runtime.startJob(jobId, 1)).toBe('started');
    expect(await runtime.startJob(jobId, 1)).toBe('already-running');
    expect(await types(jobId)).toContain('JobRunning');

    start(`rtmp://127.0.0.1:${port}/live/${streamKey}`);
    await until('three segments in every rendition', () =>
      ['240p', '144p', 'aac'].every(
        (r) => existsSync(join(media, jobId, r, 'index.m3u8')) && segments(jobId, r).length >= 3,
      ),
    );
    expect(await types(jobId)).toContain('IngestStarted');
    const started = (await es.store.readStream(jobStreamId(jobId))).find(
      (e) => e.type === 'IngestStarted',
    )!;
    expect(started.data).toMatchObject({
      input: { video: { codec: 'h264', width: 426, height: 240 }, audio: { codec: 'aac' } },
    });

    const probed = JSON.parse(
      execFileSync('ffprobe', [
        '-v',
        'error',
        '-show_streams',
        '-of',
        'json',
        join(media, jobId, 'master.m3u8'),
      ]).toString(),
    ) as { streams: Array<{ codec_type: string; width?: number }> };
    expect(
      probed.streams
        .filter((s) => s.codec_type === 'video')
        .map((s) => s.width)
        .sort(),
    ).toEqual([256, 426]);

    // This small ladder may use under one 10 ms /proc tick in a 500 ms sample: wait for a
    // sample that saw FFmpeg run.
    const stats = await until('stats with FFmpeg CPU', () =>
      new JobStatsStore(redis, es.keys)
        .latest(jobId)
        .then((s) => (s && (s.ffmpegCpuPercent ?? 0) > 0 ? s : null)),
    );
    expect(stats.ffmpegCpuPercent).toBeGreaterThan(0);
    expect(stats.ingestBytes).toBeGreaterThan(0);
    expect(stats.attempt).toBe(1);
    // The heartbeat's load is this job's estimate or its FFmpeg's measured CPU, if higher.
    const measured = runtime.runner(jobId)!.measuredCpuPercent;
    expect(measured).not.toBeNull();
    const estimate = estimateJobCost(spec(0, 'rtmp'));
    expect(runtime.load()).toBe(Math.max(estimate, Math.ceil(measured!)));

    const pid = runtime.runner(jobId)!.ffmpegPid!;
    expect(alive(pid)).toBe(true);
    await run(jobId, { type: 'RequestStop', data: { reason: 'test' } });
    await runtime.stopJob(jobId, 1, 'stop requested');
    expect(alive(pid)).toBe(false);
    expect((await types(jobId)).slice(-2)).toEqual(['StopRequested', 'JobStopped']);
    // A stop ends the stream for players (FFmpeg runs with omit_endlist, so crashes do not).
    for (const r of ['240p', '144p', 'aac'])
      expect(readFileSync(join(media, jobId, r, 'index.m3u8'), 'utf8').trimEnd()).toMatch(
        /#EXT-X-ENDLIST$/,
      );
  });

  it('a JobRunning report that fails leaves nothing behind, so the retried job.start starts it', async () => {
    const { jobId } = await assignedJob();
    // The store gave up mid-report (Redis restarting): BullMQ will retry the job.start.
    const failing = jest
      .spyOn(reporter, 'report')
      .mockRejectedValueOnce(new Error('Connection is closed.'));
    await expect(runtime.startJob(jobId, 1)).rejects.toThrow('Connection is closed.');
    expect(runtime.runner(jobId)).toBeUndefined();
    failing.mockRestore();
    expect(await runtime.startJob(jobId, 1)).toBe('started'); // not 'already-running'
    expect(await types(jobId)).toContain('JobRunning');
  });

  it('wrong key → refused, nothing written', async () => {
    const { jobId } = await assignedJob();
    await runtime.startJob(jobId, 1);
    const refused = once(runtime.ingest, 'refused');
    const p = start(`rtmp://127.0.0.1:${port}/live/not-the-key`, 5);
    await refused;
    await p.done;
    expect(existsSync(join(media, jobId))).toBe(false);
    expect(await types(jobId)).not.toContain('IngestStarted');
  });

  it('a run that cannot start (its output path is a file) is retried within the budget, then the job fails with the cause', async () => {
    const { jobId, streamKey } = await assignedJob();
    await runtime.startJob(jobId, 1);
    writeFileSync(join(media, jobId), 'not a directory');
    start(`rtmp://127.0.0.1:${port}/live/${streamKey}`, 20);
    await until('JobFailed', async () => (await types(jobId)).includes('JobFailed'), 30_000);
    const events = await es.store.readStream(jobStreamId(jobId));
    expect(events.filter((e) => e.type === 'TranscoderRestarted')).toHaveLength(3);
    const failed = events.find((e) => e.type === 'JobFailed')!.data as { reason: string };
    expect(failed.reason).toMatch(/^FFmpeg failed 4 times in 10 min .*: (ENOTDIR|EEXIST)/);
    expect(runtime.runner(jobId)).toBeUndefined(); // released
  });

  it('FFmpeg killed → TranscoderRestarted, playlist continues monotonic with a discontinuity', async () => {
    const { jobId, streamKey } = await assignedJob();
    await runtime.startJob(jobId, 1);
    start(`rtmp://127.0.0.1:${port}/live/${streamKey}`);
    await until(
      'segments',
      () =>
        existsSync(join(media, jobId, '240p', 'index.m3u8')) && segments(jobId, '240p').length >= 2,
    );
    const before = segments(jobId, '240p');
    const seqBefore = mediaSequence(jobId, '240p');
    const sizes = before.map((f) => statSync(join(media, jobId, '240p', f)).size);
    const firstPid = runtime.runner(jobId)!.ffmpegPid!;
    process.kill(firstPid, 'SIGKILL');
    await until('a new FFmpeg', () => {
      const pid = runtime.runner(jobId)?.ffmpegPid;
      return pid !== undefined && pid !== firstPid;
    });
    await until('segments of the new run', () =>
      segments(jobId, '240p').some((f) => !before.includes(f)),
    );
    expect(await types(jobId)).toContain('TranscoderRestarted');
    const playlist = readFileSync(join(media, jobId, '240p', 'index.m3u8'), 'utf8');
    expect(playlist).toContain('#EXT-X-DISCONTINUITY');
    // The media sequence continues after the last segment of the crashed run…
    expect(mediaSequence(jobId, '240p')).toBeGreaterThanOrEqual(seqBefore + before.length);
    // …under new file names, and no file of the crashed run was overwritten.
    expect(segments(jobId, '240p').filter((f) => before.includes(f))).toEqual([]);
    expect(before.map((f) => statSync(join(media, jobId, '240p', f)).size)).toEqual(sizes);

    // The new FFmpeg's delete_segments does not know the crashed run's files: the runner
    // deletes them once they are older than the window (made so here), and nothing else.
    const dir = join(media, jobId, '240p');
    const crashed = readdirSync(dir).filter((f) => /_r1001[._]/.test(f));
    expect(crashed).toEqual(expect.arrayContaining([...before, 'init_r1001_240p.mp4']));
    const longAgo = new Date(Date.now() - 3600_000);
    for (const f of crashed) utimesSync(join(dir, f), longAgo, longAgo);
    await until('the crashed run expired', () =>
      readdirSync(dir).every((f) => !/_r1001[._]/.test(f)),
    );
    expect(readdirSync(dir).filter((f) => /_r1002[._]/.test(f)).length).toBeGreaterThan(1);
    expect(existsSync(join(dir, 'index.m3u8'))).toBe(true);
  });

  it('HLS + DASH: FFmpeg killed → a second Period on the same clock and the HLS sequence continues; stop ends both', async () => {
    const { jobId, streamKey } = await assignedJob(0, 'rtmp', undefined, 'h264', ['hls', 'dash']);
    await runtime.startJob(jobId, 1);
    start(`rtmp://127.0.0.1:${port}/live/${streamKey}`);
    const dir = join(media, jobId);
    const read = (name: string) =>
      existsSync(join(dir, name)) ? readFileSync(join(dir, name), 'utf8') : '';
    const listed = (name: string) =>
      read(name)
        .split('\n')
        .filter((l) => l && !l.startsWith('#'));
    const periodIds = () =>
      [...read('manifest.mpd').matchAll(/<Period id="([^"]+)"/g)].map((m) => m[1]);
    const clock = () => /availabilityStartTime="([^"]+)"/.exec(read('manifest.mpd'))?.[1];
    await until('two segments of run 1', () => listed('media_0.m3u8').length >= 2);
    const ast = clock();
    expect(ast).toBeDefined();
    expect(periodIds()).toEqual(['r1001']);
    const firstPid = runtime.runner(jobId)!.ffmpegPid!;
    process.kill(firstPid, 'SIGKILL');
    const playlists = ['media_0.m3u8', 'media_1.m3u8', 'media_2.m3u8'];
    await until(
      'run 2 in the stitched manifests',
      () =>
        periodIds().length === 2 &&
        playlists.every((p) => listed(p).some((f) => f.includes('_r1002_'))),
    );
    expect(clock()).toBe(ast);
    expect(periodIds()).toEqual(['r1001', 'r1002']);
    for (const playlist of playlists) {
      const text = read(playlist);
      const lines = text.split('\n');
      const uris = listed(playlist);
      const firstNew = uris.findIndex((u) => u.includes('_r1002_'));
      expect(firstNew).toBeGreaterThan(0);
      expect(text.match(/#EXT-X-DISCONTINUITY\n/g)).toHaveLength(1);
      // The discontinuity sits right before run 2's first segment (after its new init).
      const at = lines.indexOf(uris[firstNew]);
      expect(lines.slice(at - 4, at).join('\n')).toMatch(
        /#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init_\d_r1002\.m4s"/,
      );
      for (const u of uris) expect(existsSync(join(dir, u))).toBe(true);
    }
    expect(read('master.m3u8')).toContain('media_0.m3u8');
    // FFmpeg's own per-run MPDs are hidden files (not served), input of the stitched one.
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.mpd'))
        .sort(),
    ).toEqual(['.dash_r1001.mpd', '.dash_r1002.mpd', 'manifest.mpd']);

    await run(jobId, { type: 'RequestStop', data: { reason: 'test' } });
    await runtime.stopJob(jobId, 1, 'stop requested');
    expect(read('manifest.mpd')).toContain('type="static"');
    expect(periodIds()).toEqual(['r1001', 'r1002']);
    expect(read('media_0.m3u8').trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
  });

  it('AV1: the worker completes the CODECS FFmpeg 5.1 leaves out of the HLS master', async () => {
    const { jobId, streamKey } = await assignedJob(0, 'rtmp', undefined, 'av1');
    await runtime.startJob(jobId, 1);
    start(`rtmp://127.0.0.1:${port}/live/${streamKey}`);
    const master = await until('a master with AV1 CODECS', () => {
      const file = join(media, jobId, 'master.m3u8');
      const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
      return /CODECS="av01\./.test(text) ? text : null;
    });
    // Every variant, each with the audio group's codec.
    const variants = master.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF'));
    expect(variants).toHaveLength(2);
    for (const v of variants) expect(v).toMatch(/CODECS="av01\.0\.\d{2}M\.08,mp4a\.40\.2"/);
  });

  it('publisher back within the window keeps the job; after the window → IngestStopped, then IngestStarted again', async () => {
    const { jobId, streamKey } = await assignedJob(3);
    await runtime.startJob(jobId, 1);
    const url = `rtmp://127.0.0.1:${port}/live/${streamKey}`;
    let p = start(url);
    await until(
      'segments',
      () =>
        existsSync(join(media, jobId, '240p', 'index.m3u8')) && segments(jobId, '240p').length >= 2,
    );
    p.stop();
    await once(runtime.ingest, 'unpublished');
    const firstRun = segments(jobId, '240p');
    const seqBefore = mediaSequence(jobId, '240p');
    p = start(url); // back within 3 s
    await until(
      'segments of the second run',
      () => segments(jobId, '240p').filter((f) => !firstRun.includes(f)).length >= 2,
    );
    expect((await types(jobId)).filter((t) => t === 'IngestStopped')).toHaveLength(0);
    // The same playlist continues: sequence after the first run's segments, a discontinuity.
    expect(mediaSequence(jobId, '240p')).toBeGreaterThanOrEqual(seqBefore + firstRun.length);
    expect(readFileSync(join(media, jobId, '240p', 'index.m3u8'), 'utf8')).toContain(
      '#EXT-X-DISCONTINUITY',
    );

    p.stop();
    await until(
      'IngestStopped after the window',
      async () => (await types(jobId)).includes('IngestStopped'),
      10_000,
    );
    start(url);
    await until(
      'IngestStarted again',
      async () => (await types(jobId)).filter((t) => t === 'IngestStarted').length === 2,
    );
  });

  it('a job reassigned elsewhere is fenced: the stale worker kills its FFmpeg', async () => {
    const { jobId, streamKey } = await assignedJob();
    await runtime.startJob(jobId, 1);
    start(`rtmp://127.0.0.1:${port}/live/${streamKey}`);
    const pid = await until('FFmpeg', () => runtime.runner(jobId)?.ffmpegPid);
    await run(jobId, {
      type: 'ReassignJob',
      data: { fromWorkerId: WORKER, reason: 'worker lost' },
    });
    await run(jobId, { type: 'AssignJob', data: { workerId: 'other' } });
    const dropped = await runtime.releaseFenced(async (id) => {
      const s = await new JobReporter(es.store, WORKER).load(id);
      return s.status === 'initial'
        ? null
        : { attempt: s.attempt, workerId: 'workerId' in s ? s.workerId : null };
    });
    expect(dropped).toEqual([jobId]);
    expect(alive(pid)).toBe(false);
    expect(readdirSync(join(media, 'run')).filter((f) => f.includes(String(pid)))).toEqual([]);
  });

  it('SRT: wrong passphrase refused, right passphrase → playable; the port is released on stop', async () => {
    const { jobId, srtPassphrase } = await assignedJob(0, 'srt');
    expect(await runtime.startJob(jobId, 1)).toBe('started');
    const running = (await es.store.readStream(jobStreamId(jobId))).find(
      (e) => e.type === 'JobRunning',
    )!;
    const srtUrl = (running.data as { ingest: { srtUrl: string } }).ingest.srtUrl;
    expect(srtUrl).toMatch(/^srt:\/\/127\.0\.0\.1:\d+$/);
    expect(runtime.srtPortsInUse).toBe(1);

    const wrong = start(`${srtUrl}?passphrase=not-the-passphrase`, 4);
    expect((await wrong.done).code).not.toBe(0);
    expect(await types(jobId)).not.toContain('IngestStarted');

    start(`${srtUrl}?passphrase=${srtPassphrase}`);
    await until(
      'three segments',
      () =>
        existsSync(join(media, jobId, '240p', 'index.m3u8')) && segments(jobId, '240p').length >= 3,
    );
    await until('IngestStarted', async () => (await types(jobId)).includes('IngestStarted'));
    // FFmpeg's own listener described the feed (its input dump): what the publisher sends.
    const started = (await es.store.readStream(jobStreamId(jobId))).find(
      (e) => e.type === 'IngestStarted',
    )!;
    expect(started.data).toMatchObject({
      input: {
        video: { codec: 'h264', width: 426, height: 240 },
        audio: { codec: 'aac', sampleRateHz: 48000 },
      },
    });
    // No byte count from FFmpeg's listener: unknown (null), not a misleading 0.
    const stats = await runtime.runner(jobId)!.stats();
    expect(stats.ingestBytes).toBeNull();
    expect(stats.outputFps).not.toBeNull();
    const pid = runtime.runner(jobId)!.ffmpegPid!;
    await runtime.stopJob(jobId, 1, 'test');
    expect(alive(pid)).toBe(false);
    expect(runtime.srtPortsInUse).toBe(0);
  });

  it('S3 destination: objects appear media-first and expire with the live window; nothing stays local', async () => {
    await withS3Bucket(async (s3, endpoint) => {
      const destination = {
        type: 's3' as const,
        bucket: 'media',
        prefix: 'live',
        endpoint,
      };
      const { jobId, streamKey } = await assignedJob(0, 'rtmp', destination);
      await runtime.startJob(jobId, 1);
      start(`rtmp://127.0.0.1:${port}/live/${streamKey}`, 14);
      const list = async () =>
        (
          (await s3.send(new ListObjectsV2Command({ Bucket: 'media', Prefix: `live/${jobId}/` })))
            .Contents ?? []
        ).map((o) => o.Key!.slice(`live/${jobId}/`.length));
      const get = async (key: string) =>
        (
          await s3.send(new GetObjectCommand({ Bucket: 'media', Key: `live/${jobId}/${key}` }))
        ).Body!.transformToString();
      await until('the master playlist in S3', async () => (await list()).includes('master.m3u8'));
      // Players and CDNs see the right content types (Cache-Control, which fauxqs does not
      // keep, is asserted on the wire in segment-publisher.int-spec.ts).
      const type = async (key: string) =>
        (await s3.send(new HeadObjectCommand({ Bucket: 'media', Key: `live/${jobId}/${key}` })))
          .ContentType;
      const keys = await list();
      expect(await type('master.m3u8')).toBe('application/vnd.apple.mpegurl');
      expect(await type(keys.find((k) => /^240p\/seg_.*\.m4s$/.test(k))!)).toBe(
        'video/iso.segment',
      );
      expect(await type(keys.find((k) => /^240p\/init.*\.mp4$/.test(k))!)).toBe('video/mp4');
      // Every segment a stored playlist names is already stored (media before manifests).
      for (let i = 0; i < 5; i++) {
        const playlist = await get('240p/index.m3u8');
        const keys = await list();
        for (const seg of playlist.split('\n').filter((l) => l && !l.startsWith('#')))
          expect(keys).toContain(`240p/${seg}`);
        await new Promise((r) => setTimeout(r, 700));
      }
      // The 6-second window keeps ~6 one-second segments: older objects are deleted.
      await until(
        'segments expired from S3',
        () => (runtime.runner(jobId)?.publishStats?.deletes ?? 0) > 3,
        20_000,
      );
      const segmentsIn240p = (await list()).filter((k) => k.startsWith('240p/seg_'));
      expect(segmentsIn240p.length).toBeLessThanOrEqual(9);
      expect(runtime.runner(jobId)!.publishStats!.failures).toBe(0);
      await runtime.stopJob(jobId, 1, 'test');
      expect(existsSync(join(media, 'staging', jobId))).toBe(false);
      expect(existsSync(join(media, jobId))).toBe(false);

      // Delete: every object under the job's prefix goes, a neighbour's stays.
      const neighbour = `live/${jobId}X/master.m3u8`;
      await s3.send(new PutObjectCommand({ Bucket: 'media', Key: neighbour, Body: '#EXTM3U' }));
      expect((await list()).length).toBeGreaterThan(3);
      await runtime.cleanupJob(jobId, destination);
      expect(await list()).toEqual([]);
      const left = await s3.send(new ListObjectsV2Command({ Bucket: 'media', Prefix: 'live/' }));
      expect(left.Contents?.map((o) => o.Key)).toEqual([neighbour]);
    });
  });

  it.each([
    ['HLS', ['hls'] as Array<'hls' | 'dash'>, '240p/index.m3u8'],
    ['HLS + DASH', ['hls', 'dash'] as Array<'hls' | 'dash'>, 'media_0.m3u8'],
  ])(
    'S3, %s: a worker that takes the job over continues the sequence the origin has',
    async (_name, formats, playlistKey) => {
      await withS3Bucket(async (s3, endpoint) => {
        const destination = { type: 's3' as const, bucket: 'media', endpoint };
        const { jobId, streamKey } = await assignedJob(0, 'rtmp', destination, 'h264', formats);
        const get = async (key: string) =>
          s3
            .send(new GetObjectCommand({ Bucket: 'media', Key: `${jobId}/${key}` }))
            .then((r) => r.Body!.transformToString())
            .catch(() => '');
        const listed = (text: string) => text.split('\n').filter((l) => l && !l.startsWith('#'));
        const sequence = (text: string) =>
          Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(text)?.[1] ?? -1);
        await runtime.startJob(jobId, 1);
        const first = start(`rtmp://127.0.0.1:${port}/live/${streamKey}`);
        await until('three segments at the origin', async () => {
          return listed(await get(playlistKey)).length >= 3;
        });
        // The worker is lost: nothing is reported, its staging directory goes with it.
        await runtime.releaseAll();
        first.stop();
        const before = await get(playlistKey);
        const mpdBefore = await get('manifest.mpd');
        expect(existsSync(join(media, 'staging', jobId))).toBe(false);

        await run(jobId, { type: 'ReassignJob', data: { fromWorkerId: WORKER, reason: 'lost' } });
        await run(jobId, { type: 'AssignJob', data: { workerId: WORKER } });
        expect(await runtime.startJob(jobId, 2)).toBe('started');
        start(`rtmp://127.0.0.1:${port}/live/${streamKey}`);
        const after = await until('attempt 2 segments at the origin', async () => {
          const text = await get(playlistKey);
          return listed(text).some((u) => u.includes('_r2001')) ? text : null;
        });
        // Continued, not restarted: the first new segment follows the last one published.
        const firstNew = listed(after).findIndex((u) => u.includes('_r2001'));
        expect(sequence(after) + firstNew).toBe(sequence(before) + listed(before).length);
        if (!formats.includes('dash')) expect(after).toMatch(/#EXT-X-DISCONTINUITY\n/);
        if (formats.includes('dash')) {
          const mpd = await until('the attempt 2 Period', async () => {
            const text = await get('manifest.mpd');
            return text.includes('<Period id="r2001"') ? text : null;
          });
          const clock = (x: string) => /availabilityStartTime="([^"]+)"/.exec(x)?.[1];
          expect(clock(mpd)).toBe(clock(mpdBefore));
          const start2 = Number(/<Period id="r2001" start="PT([\d.]+)S"/.exec(mpd)?.[1]);
          expect(start2).toBeGreaterThan(2);
          // The run before is not listed here (its MPD stayed with the lost worker), so its
          // discontinuity has left the playlist: the discontinuity sequence says so.
          expect(/#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(after)?.[1]).toBe('1');
        }
        await runtime.stopJob(jobId, 2, 'test');
      });
    },
  );
});
