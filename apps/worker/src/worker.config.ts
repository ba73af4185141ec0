import { readFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { num, port, str } from 'envalid';
import { capacityForCores } from '@ezlive/domain';
import { httpPort, parseEnv, SHARED_ENV, WORKER_ID_PATTERN } from '@ezlive/infra';

const defaultWorkerId = () =>
  hostname()
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/^-+/, '')
    .slice(0, 40) || 'worker';

const LABEL_KEY = /^[a-z0-9]([a-z0-9._/-]{0,61}[a-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/; // empty allowed

/**
 * `zone=eu-1a,tier=gpu` → `{ zone: 'eu-1a', tier: 'gpu' }`. Keys and values follow the
 * Kubernetes label rules (lower-case keys), so a pod's labels can be passed through as they are.
 */
export function parseLabels(raw: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of raw.split(',').map((p) => p.trim())) {
    if (pair === '') continue;
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? '' : pair.slice(at + 1);
    if (!LABEL_KEY.test(key))
      throw new Error(`WORKER_LABELS: '${key}' is not a label key (${LABEL_KEY})`);
    if (!LABEL_VALUE.test(value))
      throw new Error(`WORKER_LABELS: the value of '${key}' must match ${LABEL_VALUE}`);
    if (key in labels) throw new Error(`WORKER_LABELS: '${key}' is given twice`);
    labels[key] = value;
  }
  return labels;
}

/** The version of the ezlive package this code belongs to (from source or from dist/). */
export function appVersion(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'ezlive' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

/** Every setting of the worker app (README: Configuration). */
export const WORKER_ENV = {
  ...SHARED_ENV,
  WORKER_PORT: httpPort(8082, 'HTTP port of the worker app'),
  WORKER_ID: str({ default: '', desc: 'Stable worker id ([a-z0-9-]); defaults to the host name' }),
  WORKER_PUBLIC_HOST: str({
    default: 'localhost',
    desc: 'Host name publishers use to reach this worker (ingest URLs)',
  }),
  RTMP_PORT: port({ default: 1935, desc: 'The worker’s one public RTMP ingest port' }),
  SRT_PORT_MIN: port({ default: 10000, desc: 'First UDP port of the per-job SRT listener range' }),
  SRT_PORT_MAX: port({ default: 10099, desc: 'Last UDP port of the per-job SRT listener range' }),
  WORKER_CAPACITY: num({
    default: 0,
    desc: 'Capacity in cost units (1 unit = 1% of a core); 0 = 80% of the cores',
  }),
  WORKER_LABELS: str({
    default: '',
    desc: 'Labels the worker registers with, key=value pairs separated by commas (zone=eu-1a,tier=gpu)',
  }),
  MEDIA_DIR: str({ default: '.media', desc: 'Local origin directory (api serves it at /media)' }),
  STAGING_DIR: str({
    default: '',
    desc: 'Where jobs with S3/HTTP destinations are written before upload; defaults to .ezlive/staging/<workerId>',
  }),
  S3_ENDPOINT: str({
    default: '',
    desc: 'S3 API endpoint for s3 destinations (empty = AWS); a job’s own endpoint wins',
  }),
  S3_REGION: str({ default: 'us-east-1', desc: 'S3 region for s3 destinations without one' }),
  AWS_ACCESS_KEY_ID: str({
    default: '',
    desc: 'Credentials for SQS/S3 (empty = the AWS SDK default chain)',
  }),
  AWS_SECRET_ACCESS_KEY: str({
    default: '',
    desc: 'Credentials for SQS/S3 (empty = the AWS SDK default chain)',
  }),
  RUN_DIR: str({
    default: '',
    desc: 'Directory for FFmpeg pid files (orphan reaping); defaults to .ezlive/run/<workerId>',
  }),
  FFMPEG_PATH: str({ default: 'ffmpeg', desc: 'FFmpeg binary' }),
  FFPROBE_PATH: str({ default: 'ffprobe', desc: 'ffprobe binary' }),
  HEARTBEAT_INTERVAL_MS: num({ default: 2000, desc: 'Worker heartbeat period' }),
  STATS_INTERVAL_MS: num({ default: 2000, desc: 'Per-job stats sample period' }),
  STOP_TIMEOUT_MS: num({
    default: 800,
    desc: 'Grace after SIGTERM before FFmpeg is SIGKILLed on stop',
  }),
  RESTART_MAX_ATTEMPTS: num({
    default: 5,
    desc: 'FFmpeg crashes tolerated per 10 min before the job fails',
  }),
};

export type WorkerConfig = ReturnType<typeof loadWorkerConfig>;

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(WORKER_ENV, env);
  const workerId = e.WORKER_ID || defaultWorkerId();
  if (!WORKER_ID_PATTERN.test(workerId)) {
    throw new Error(`WORKER_ID '${workerId}' must match ${WORKER_ID_PATTERN}`);
  }
  if (e.SRT_PORT_MAX < e.SRT_PORT_MIN) throw new Error('SRT_PORT_MAX must be ≥ SRT_PORT_MIN');
  const cores = cpus().length;
  return {
    port: e.WORKER_PORT,
    redisUrl: e.REDIS_URL,
    keyPrefix: e.EZ_KEY_PREFIX,
    partitions: e.EZ_PARTITIONS,
    logLevel: e.LOG_LEVEL,
    workerId,
    publicHost: e.WORKER_PUBLIC_HOST,
    rtmpPort: e.RTMP_PORT,
    srtPortRange: [e.SRT_PORT_MIN, e.SRT_PORT_MAX] as [number, number],
    cpuCores: cores,
    capacity: e.WORKER_CAPACITY > 0 ? e.WORKER_CAPACITY : capacityForCores(cores),
    labels: parseLabels(e.WORKER_LABELS),
    version: appVersion(),
    mediaDir: e.MEDIA_DIR,
    runDir: e.RUN_DIR || join('.ezlive', 'run', workerId),
    stagingDir: e.STAGING_DIR || join('.ezlive', 'staging', workerId),
    s3: {
      region: e.S3_REGION,
      ...(e.S3_ENDPOINT ? { endpoint: e.S3_ENDPOINT } : {}),
      ...(e.AWS_ACCESS_KEY_ID
        ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY }
        : {}),
    },
    ffmpegPath: e.FFMPEG_PATH,
    ffprobePath: e.FFPROBE_PATH,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    statsIntervalMs: e.STATS_INTERVAL_MS,
    stopTimeoutMs: e.STOP_TIMEOUT_MS,
    restartMaxAttempts: e.RESTART_MAX_ATTEMPTS,
  };
}
