import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Redis } from 'ioredis';
import {
  handleCommand,
  jobDecider,
  jobStreamId,
  type JobCommand,
  type JobEvent,
  type JobSpec,
  type PlacementStrategyName,
  type RecordedEvent,
} from '@ezlive/domain';
import { SPEC } from '@ezlive/domain/job/job.fixtures';
import {
  commandContext,
  EventSourcing,
  newId,
  SchedulerRuntime,
  SqsIntake,
  type SchedulerRuntimeOptions,
} from '@ezlive/infra';
import { dropPrefix, testRedis, uniquePrefix } from '../../../test/support/redis';
import { SimulatedWorker } from '../../../test/support/simulated-worker';
import type { SqsServer } from '../../../test/support/sqs';

/** Short timings so failure tests finish in seconds. */
export const TIMING = {
  heartbeatTimeoutMs: 1500,
  heartbeatMs: 300,
  reconcileIntervalMs: 1000,
  assignTimeoutMs: 3000,
  resendAfterMs: 3000,
};

/** Deterministic [0, 1) source (mulberry32). */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | false | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One isolated world: a key prefix, a queue name, schedulers and simulated workers. */
export class SchedulerWorld {
  readonly prefix = uniquePrefix('sched');
  readonly redis: Redis = testRedis();
  readonly es = new EventSourcing(this.redis, { prefix: this.prefix, partitions: 4 });
  readonly queueName = `intake-${this.prefix}`;
  readonly intake: SqsIntake;
  readonly schedulers: SchedulerRuntime[] = [];
  readonly workers: SimulatedWorker[] = [];
  private readonly extra: Redis[] = [];

  constructor(private readonly sqs: SqsServer) {
    this.intake = new SqsIntake(this.sqsOptions());
  }

  sqsOptions() {
    return {
      endpoint: this.sqs.endpoint,
      region: this.sqs.region,
      queueName: this.queueName,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    };
  }

  async init(): Promise<this> {
    await this.intake.ensureQueues();
    await this.es.startProjections(`test-${this.prefix}`);
    return this;
  }

  async scheduler(
    strategy: PlacementStrategyName = 'least-loaded',
    over: Partial<SchedulerRuntimeOptions> = {},
  ): Promise<SchedulerRuntime> {
    const redis = testRedis();
    this.extra.push(redis);
    const rt = new SchedulerRuntime(
      new EventSourcing(redis, { prefix: this.prefix, partitions: 4 }),
      {
        instanceId: `s${this.schedulers.length + 1}`,
        keyPrefix: this.prefix,
        strategy,
        sqs: this.sqsOptions(),
        sqsWaitSeconds: 1,
        rng: seeded(42 + this.schedulers.length),
        ...TIMING,
        ...over,
      },
    );
    await rt.start();
    this.schedulers.push(rt);
    return rt;
  }

  async worker(workerId: string, capacity: number, consume = true): Promise<SimulatedWorker> {
    const w = new SimulatedWorker(this.redis, this.es.store, {
      workerId,
      keyPrefix: this.prefix,
      capacity,
      heartbeatMs: TIMING.heartbeatMs,
      consume,
    });
    this.workers.push(w);
    return w.start();
  }

  run(jobId: string, command: JobCommand, actor: 'api' | 'scheduler' = 'api') {
    return handleCommand(
      this.es.store,
      jobStreamId(jobId),
      jobDecider,
      command,
      commandContext(actor),
      {
        metadata: { jobId },
      },
    );
  }

  /** Appends JobCreated (as the API does); `send` also puts `{jobId}` on SQS. */
  async createJobs(n: number, send = true, spec: JobSpec = SPEC): Promise<string[]> {
    const ids = Array.from({ length: n }, () => newId());
    await Promise.all(
      ids.map((jobId) =>
        this.run(jobId, {
          type: 'CreateJob',
          data: { jobId, spec, warnings: [], streamKeyFingerprint: 'f' },
        }),
      ),
    );
    if (send) await this.send(ids);
    return ids;
  }

  async send(jobIds: string[]): Promise<void> {
    const { queueUrl } = await this.intake.ensureQueues();
    for (let i = 0; i < jobIds.length; i += 10) {
      const batch = jobIds.slice(i, i + 10);
      await this.intake.client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((jobId, k) => ({
            Id: String(k),
            MessageBody: JSON.stringify({ jobId }),
          })),
        }),
      );
    }
  }

  async sendRaw(body: string): Promise<void> {
    const { queueUrl } = await this.intake.ensureQueues();
    await this.intake.client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }),
    );
  }

  async events(jobId: string): Promise<RecordedEvent<JobEvent>[]> {
    return (await this.es.store.readStream(jobStreamId(jobId))) as RecordedEvent<JobEvent>[];
  }

  async state(jobId: string) {
    return (await this.events(jobId)).reduce(jobDecider.evolve, jobDecider.initialState());
  }

  async states(jobIds: string[]) {
    return Promise.all(jobIds.map((id) => this.state(id)));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.crash()));
    await Promise.allSettled(this.schedulers.map((s) => s.stop()));
    await this.es.stopProjections();
    this.intake.destroy();
    await dropPrefix(this.redis, this.prefix);
    for (const r of this.extra) r.disconnect();
    this.redis.disconnect();
  }
}
