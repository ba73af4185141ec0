/**
 * Scheduler benchmark (not a test): prints numbers and writes bench/results/scheduler.json.
 *   1. SQS send → JobAssigned throughput with 50 simulated workers, against raw BullMQ
 *      add → consume on the same Redis in the same run.
 *   2. Scale: N live jobs on W simulated workers heartbeating every 2 s for D s: scheduler
 *      CPU % of one core (the scheduler runs as its own process), Redis memory per job,
 *      time to detect and reassign a lost worker's jobs.
 * Env: BENCH_JOBS (2000), SCALE_JOBS (5000), SCALE_WORKERS (200), SCALE_SECONDS (60).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue, Worker } from 'bullmq';
import { estimateJobCost } from '@ezlive/domain';
import { SPEC } from '@ezlive/domain/job/job.fixtures';
import { SchedulerWorld } from '../../apps/scheduler/test/scheduler-harness';
import { startSqsServer } from '../../test/support/sqs';
import { freePort } from '../../test/support/ports';
import { TEST_REDIS_URL } from '../../test/support/redis';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const root = join(__dirname, '../..');

async function throughput(world: SchedulerWorld, n: number) {
  for (let i = 0; i < 50; i++) await world.worker(`t${i}`, 10_000 * estimateJobCost(SPEC));
  await world.scheduler('least-loaded', { sqsWaitSeconds: 20, intakeLoops: 4 });
  const ids = await world.createJobs(n, false);
  const t0 = Date.now();
  await world.send(ids);
  await untilAll(world, ids, (st) => st !== 'created' && st !== 'queued');
  const jobsPerSec = n / ((Date.now() - t0) / 1000);

  const conn = world.redis.duplicate({ maxRetriesPerRequest: null });
  const q = new Queue('bench-raw', { connection: conn, prefix: `${world.prefix}:bull` });
  let done = 0;
  const t1 = Date.now();
  const finished = new Promise<void>((resolve) => {
    const w = new Worker('bench-raw', async () => undefined, {
      connection: conn.duplicate(),
      prefix: `${world.prefix}:bull`,
      concurrency: 20,
    });
    w.on('completed', () => ++done === n && void w.close().then(() => resolve()));
  });
  await q.addBulk(
    Array.from({ length: n }, (_, i) => ({
      name: 'x',
      data: { i },
      opts: { removeOnComplete: true },
    })),
  );
  await finished;
  const bullPerSec = n / ((Date.now() - t1) / 1000);
  await q.close();
  conn.disconnect();
  return {
    jobs: n,
    workers: 50,
    sqsToAssignedPerSec: Math.round(jobsPerSec),
    rawBullmqPerSec: Math.round(bullPerSec),
    ratio: +(jobsPerSec / bullPerSec).toFixed(3),
  };
}

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, clock ticks of 10 ms
}

async function scale(
  world: SchedulerWorld,
  sqsEndpoint: string,
  jobs: number,
  workers: number,
  seconds: number,
) {
  const memBefore = await usedMemory(world);
  const perWorker = Math.ceil(jobs / workers) + 2;
  const cost = estimateJobCost(SPEC);
  for (let i = 0; i < workers; i++) {
    const w = await world.worker(`s${i}`, perWorker * cost);
    w.options.heartbeatMs = 2000;
    w.startHeartbeat();
  }
  const child = spawn(
    process.execPath,
    ['-r', join(root, 'scripts/lib/swc-register.js'), join(root, 'apps/scheduler/src/main.ts')],
    {
      cwd: root,
      env: {
        ...process.env,
        REDIS_URL: TEST_REDIS_URL,
        EZ_KEY_PREFIX: world.prefix,
        EZ_PARTITIONS: '4',
        SCHEDULER_PORT: String(await freePort()),
        SQS_ENDPOINT: sqsEndpoint,
        SQS_QUEUE_NAME: world.queueName,
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'y',
        LOG_LEVEL: 'error',
        HEARTBEAT_TIMEOUT_MS: '6000',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  try {
    const ids = await world.createJobs(jobs);
    await untilAll(world, ids, (st) => st === 'running');
    const memPerJobBytes = Math.round(((await usedMemory(world)) - memBefore) / jobs);
    const c0 = cpuSeconds(child.pid!);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const cpuPct = (100 * (cpuSeconds(child.pid!) - c0)) / ((Date.now() - t0) / 1000);
    const base = {
      jobs,
      workers,
      heartbeatMs: 2000,
      seconds,
      schedulerCpuPctOfOneCore: +cpuPct.toFixed(1),
      redisBytesPerJob: memPerJobBytes,
      // Each job's own stream preallocates this much (docs/deployment.md#redis-memory).
      redisStreamNodeMaxBytes: await streamNodeMaxBytes(world),
      heartbeatTimeoutMs: 6000,
    };
    console.log('scale (before the lost-worker step)', base);
    const victim = world.workers.find((w) => w.jobs.size > 0)!;
    const theirs = [...victim.jobs.keys()];
    const t1 = Date.now();
    victim.stopHeartbeat();
    const moved = await untilAll(
      world,
      theirs,
      (s) => s === 'running',
      120_000,
      (st) => 'workerId' in st && st.workerId !== victim.workerId,
    )
      .then(() => true)
      .catch(() => false);
    return {
      ...base,
      lostWorkerJobs: theirs.length,
      detectAndReassignMs: moved ? Date.now() - t1 : null,
    };
  } finally {
    child.kill('SIGTERM');
  }
}

/** Polls only the jobs not yet done, every 250 ms, so measuring does not load Redis much. */
async function untilAll(
  world: SchedulerWorld,
  ids: string[],
  done: (status: string) => boolean,
  timeoutMs = 900_000,
  also: (s: Awaited<ReturnType<SchedulerWorld['state']>>) => boolean = () => true,
) {
  let pending = ids;
  const deadline = Date.now() + timeoutMs;
  while (pending.length > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.length} jobs never finished`);
    const head = pending.slice(0, 500);
    const states = await world.states(head);
    const left = new Set(head.filter((_, i) => !(done(states[i].status) && also(states[i]))));
    pending = [...head.filter((id) => left.has(id)), ...pending.slice(500)];
    if (left.size > 0) await new Promise((r) => setTimeout(r, 250));
  }
}

async function usedMemory(world: SchedulerWorld): Promise<number> {
  const info = await world.redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/** The server's `stream-node-max-bytes`, or null where CONFIG is not allowed (managed Redis). */
async function streamNodeMaxBytes(world: SchedulerWorld): Promise<number | null> {
  try {
    const [, value] = (await world.redis.config('GET', 'stream-node-max-bytes')) as string[];
    return Number(value);
  } catch {
    return null;
  }
}

async function main() {
  const sqs = await startSqsServer();
  const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version };
  try {
    const w1 = await new SchedulerWorld(sqs).init();
    try {
      results.throughput = await throughput(w1, env('BENCH_JOBS', 2000));
      console.log('throughput', results.throughput);
    } finally {
      await w1.close();
    }
    const w2 = await new SchedulerWorld(sqs).init();
    try {
      results.scale = await scale(
        w2,
        sqs.endpoint,
        env('SCALE_JOBS', 5000),
        env('SCALE_WORKERS', 200),
        env('SCALE_SECONDS', 60),
      );
      console.log('scale', results.scale);
    } finally {
      await w2.close();
    }
  } finally {
    await sqs.stop();
  }
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(
    join(root, 'bench/results/scheduler.json'),
    JSON.stringify(results, null, 2) + '\n',
  );
  process.exit(0);
}

void main();
