/**
 * Worker benchmark (not a test): the standard ladder (1080p30 in → 720p/540p/360p h264
 * veryfast + AAC 128k, HLS 2 s) published over RTMP into an in-process worker runtime with an
 * S3 destination (fauxqs). Prints
 *   1. the worker's own CPU (this Node process: RTMP demux, FLV to FFmpeg, stats, S3 uploads)
 *      as a ratio of FFmpeg's CPU over the same window (target ≤ 0.03);
 *   2. S3 upload lag from segment close (file mtime) to object stored, p50/p95 (target p95 ≤ 300 ms).
 * Run: npm run bench:worker [-- --seconds 30]
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  handleCommand,
  jobDecider,
  jobStreamId,
  validateJobSpec,
  type JobCommand,
} from '@ezlive/domain';
import {
  commandContext,
  createRedis,
  EventSourcing,
  fingerprint,
  JobSecretsStore,
  JobStatsStore,
  mintJobSecrets,
  newId,
} from '@ezlive/infra';
import { JobReporter } from '../../apps/worker/src/runtime/job-reporter';
import { JobRuntime } from '../../apps/worker/src/runtime/job-runtime';
import { startSqsServer } from '../../test/support/sqs';
import { makeInput } from '../ffmpeg-ladder/bench-util';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 30);
const TICK = 100; // /proc clock ticks per second

const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function main(): Promise<void> {
  const redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const prefix = `ezbench-worker-${Date.now()}`;
  const es = new EventSourcing(redis, { prefix, partitions: 4 });
  const secrets = new JobSecretsStore(redis, es.keys);
  const s3server = await startSqsServer();
  const s3 = new S3Client({
    region: 'us-east-1',
    endpoint: s3server.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'media' }));
  const dir = mkdtempSync(join(tmpdir(), 'ezbench-worker-'));
  const runtime = new JobRuntime(
    {
      workerId: 'bench',
      publicHost: '127.0.0.1',
      rtmpPort: 0,
      srtPortRange: [32000, 32010],
      mediaDir: dir,
      stagingDir: join(dir, 'staging'),
      s3: { region: 'us-east-1', accessKeyId: 'l', secretAccessKey: 'l' },
      runDir: join(dir, 'run'),
      ffmpegPath: 'ffmpeg',
      ffprobePath: 'ffprobe',
      stopTimeoutMs: 2000,
      restartMaxAttempts: 3,
      statsIntervalMs: 2000,
      log: () => undefined,
    },
    new JobReporter(es.store, 'bench'),
    secrets,
    new JobStatsStore(redis, es.keys),
  );
  const port = await runtime.start();
  const spec = validateJobSpec({
    name: 'bench ladder',
    input: { protocol: 'rtmp' },
    output: {
      segmentDurationSec: 2,
      windowSec: 20,
      destination: { type: 's3', bucket: 'media', endpoint: s3server.endpoint },
    },
    video: [
      {
        name: '720p',
        codec: 'h264',
        width: 1280,
        height: 720,
        bitrateKbps: 3000,
        preset: 'veryfast',
      },
      {
        name: '540p',
        codec: 'h264',
        width: 960,
        height: 540,
        bitrateKbps: 1800,
        preset: 'veryfast',
      },
      {
        name: '360p',
        codec: 'h264',
        width: 640,
        height: 360,
        bitrateKbps: 800,
        preset: 'veryfast',
      },
    ],
    audio: [{ name: 'aac', codec: 'aac', bitrateKbps: 128 }],
  });
  if (!spec.ok) throw new Error(JSON.stringify(spec.errors));
  const jobId = newId();
  const keys = mintJobSecrets();
  await secrets.put(jobId, keys);
  const run = (c: JobCommand) =>
    handleCommand(es.store, jobStreamId(jobId), jobDecider, c, commandContext('scheduler'), {
      metadata: { jobId },
    });
  await run({
    type: 'CreateJob',
    data: {
      jobId,
      spec: spec.spec,
      warnings: [],
      streamKeyFingerprint: fingerprint(keys.streamKey),
    },
  });
  await run({ type: 'QueueJob', data: { cost: 1 } });
  await run({ type: 'AssignJob', data: { workerId: 'bench' } });
  await runtime.startJob(jobId, 1);

  // The standard ladder's input, as bench/ffmpeg-ladder makes it (what OBS sends for 1080p30:
  // x264 veryfast, high profile, 6 Mbit/s, 2 s GOP), pre-encoded once so the publisher costs
  // only a copy (it is not measured).
  const source = join(tmpdir(), `ezlive-bench-1080p30-veryfast-${SECONDS + 15}s.flv`);
  await makeInput(source, SECONDS + 15);
  const publisher = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-i',
      source,
      '-c',
      'copy',
      '-f',
      'flv',
      `rtmp://127.0.0.1:${port}/live/${keys.streamKey}`,
    ],
    { stdio: 'ignore' },
  );

  // Warm up until FFmpeg runs, then measure a steady window.
  for (let i = 0; i < 300 && !runtime.runner(jobId)?.ffmpegPid; i++)
    await new Promise((r) => setTimeout(r, 100));
  const ffmpegPid = runtime.runner(jobId)!.ffmpegPid!;
  await new Promise((r) => setTimeout(r, 5000));
  const node0 = process.cpuUsage();
  const ff0 = cpuTicks(ffmpegPid);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const wallS = (Date.now() - t0) / 1000;
  const nodeUse = process.cpuUsage(node0);
  const nodeCpuS = (nodeUse.user + nodeUse.system) / 1e6;
  const ffCpuS = (cpuTicks(ffmpegPid) - ff0) / TICK;
  const lag = runtime.runner(jobId)!.publishStats!.lagMs;
  const stats = await new JobStatsStore(redis, es.keys).latest(jobId);

  publisher.kill('SIGTERM');
  await runtime.close();
  const result = {
    benchmark: 'worker',
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    seconds: wallS,
    ladder: '1080p30 → 720p/540p/360p h264 veryfast + AAC 128k, HLS 2 s, S3 destination',
    cpu: {
      workerNodeCores: +(nodeCpuS / wallS).toFixed(4),
      ffmpegCores: +(ffCpuS / wallS).toFixed(3),
      ratio: +(nodeCpuS / ffCpuS).toFixed(4),
      target: 0.03,
    },
    speed: stats?.speed ?? null,
    s3UploadLagMs: { samples: lag.length, p50: pct(lag, 50), p95: pct(lag, 95), target95: 300 },
  };
  console.log(
    `worker CPU ${result.cpu.workerNodeCores} cores vs FFmpeg ${result.cpu.ffmpegCores} cores → ratio ${result.cpu.ratio} (target ≤ 0.03); speed ${result.speed}`,
  );
  console.log(
    `S3 upload lag over ${lag.length} segments: p50 ${result.s3UploadLagMs.p50} ms, p95 ${result.s3UploadLagMs.p95} ms (target p95 ≤ 300 ms)`,
  );
  mkdirSync(join(__dirname, '../results'), { recursive: true });
  writeFileSync(join(__dirname, '../results/worker.json'), `${JSON.stringify(result, null, 2)}\n`);

  s3.destroy();
  await s3server.stop();
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (found.length) await redis.unlink(...found);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
}

void main();
