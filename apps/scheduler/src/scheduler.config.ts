import { num, str } from 'envalid';
import { PLACEMENT_STRATEGIES, type PlacementStrategyName } from '@ezlive/domain';
import { ConfigError, httpPort, parseEnv, SHARED_ENV, SQS_ENV, sqsOptions } from '@ezlive/infra';

/** Every setting of the scheduler app (README: Configuration). SQS names match the API's. */
export const SCHEDULER_ENV = {
  ...SHARED_ENV,
  SCHEDULER_PORT: httpPort(8081, 'HTTP port of the scheduler app'),
  ...SQS_ENV,
  SQS_WAIT_SECONDS: num({ default: 20, desc: 'SQS long-poll wait in seconds (1–20)' }),
  INTAKE_LOOPS: num({ default: 2, desc: 'Concurrent SQS long-poll loops per scheduler instance' }),
  PLACEMENT_STRATEGY: str({
    default: 'least-loaded',
    choices: [...PLACEMENT_STRATEGIES],
    desc: 'How a worker is chosen: least-loaded, round-robin, random or bin-pack',
  }),
  HEARTBEAT_TIMEOUT_MS: num({
    default: 6000,
    desc: 'A worker whose last heartbeat is older than this is declared lost and its jobs reassigned',
  }),
  RECONCILE_INTERVAL_MS: num({
    default: 10_000,
    desc: 'Time between reconciler sweeps for stuck jobs and leaked capacity',
  }),
  ASSIGN_TIMEOUT_MS: num({
    default: 30_000,
    desc: 'An assigned job not running after this long is reassigned',
  }),
  SCHEDULER_RESEND_AFTER_MS: num({
    default: 30_000,
    desc: 'A created job not queued after this long is re-sent to SQS by the scheduler reconciler',
  }),
};

export type SchedulerConfig = ReturnType<typeof loadSchedulerConfig>;

export function loadSchedulerConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(SCHEDULER_ENV, env);
  if (e.SQS_ENDPOINT && !/^https?:\/\/[^\s]+$/.test(e.SQS_ENDPOINT))
    throw new ConfigError('invalid configuration:\n  SQS_ENDPOINT: must be an http(s) URL');
  if (e.SQS_WAIT_SECONDS < 0 || e.SQS_WAIT_SECONDS > 20)
    throw new ConfigError('invalid configuration:\n  SQS_WAIT_SECONDS: must be 0–20');
  if (e.HEARTBEAT_TIMEOUT_MS < 200)
    throw new ConfigError('invalid configuration:\n  HEARTBEAT_TIMEOUT_MS: must be ≥ 200');
  return {
    port: e.SCHEDULER_PORT,
    redisUrl: e.REDIS_URL,
    keyPrefix: e.EZ_KEY_PREFIX,
    partitions: e.EZ_PARTITIONS,
    logLevel: e.LOG_LEVEL,
    sqs: sqsOptions(e),
    sqsWaitSeconds: e.SQS_WAIT_SECONDS,
    intakeLoops: Math.max(1, e.INTAKE_LOOPS),
    strategy: e.PLACEMENT_STRATEGY as PlacementStrategyName,
    heartbeatTimeoutMs: e.HEARTBEAT_TIMEOUT_MS,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    assignTimeoutMs: e.ASSIGN_TIMEOUT_MS,
    resendAfterMs: e.SCHEDULER_RESEND_AFTER_MS,
  };
}
