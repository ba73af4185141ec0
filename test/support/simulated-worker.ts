import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  estimateJobCost,
  handleCommand,
  JobError,
  jobDecider,
  jobStreamId,
  type EventStore,
  type WorkerInfo,
} from '@ezlive/domain';
import {
  bullPrefix,
  commandContext,
  WorkerRegistry,
  workQueueName,
  type WorkPayloads,
} from '@ezlive/infra';

export interface SimulatedWorkerOptions {
  workerId: string;
  keyPrefix: string;
  /** Cost units it can carry. */
  capacity: number;
  /** @defaultValue 300 */
  heartbeatMs?: number;
  /** BullMQ concurrency. @defaultValue 20 */
  concurrency?: number;
  /** `false`: a member that heartbeats but never takes work (a stuck worker). @defaultValue true */
  consume?: boolean;
}

/**
 * A worker that runs no FFmpeg: a real BullMQ consumer of its work queue and a real
 * registry member. `job.start` → ReportRunning (fenced: a stale attempt is dropped),
 * `job.stop` → ReportStopped; heartbeats report its jobs and their estimated load.
 */
export class SimulatedWorker {
  readonly jobs = new Map<string, { attempt: number; cost: number }>();
  /** Starts refused because the attempt was no longer current. */
  readonly fenced: Array<{ jobId: string; attempt: number }> = [];
  readonly started: Array<{ jobId: string; attempt: number }> = [];
  /** `job.cleanup` payloads it received (output it was asked to remove). */
  readonly cleanups: Array<WorkPayloads['job.cleanup']> = [];
  private worker: Worker | null = null;
  private timer: NodeJS.Timeout | null = null;
  private connection: Redis | null = null;
  private incarnation = 0;
  readonly registry: WorkerRegistry;

  constructor(
    private readonly redis: Redis,
    private readonly store: EventStore,
    readonly options: SimulatedWorkerOptions,
  ) {
    this.registry = new WorkerRegistry(redis, store, options.keyPrefix);
  }

  /** Jobs whose output it was asked to remove. */
  get cleaned(): string[] {
    return this.cleanups.map((c) => c.jobId);
  }

  get workerId(): string {
    return this.options.workerId;
  }

  get load(): number {
    return [...this.jobs.values()].reduce((s, j) => s + j.cost, 0);
  }

  info(): WorkerInfo {
    return {
      host: '127.0.0.1',
      rtmpPort: 1935,
      srtPortRange: [10000, 10099],
      cpuCores: this.options.capacity / 100,
      capacity: this.options.capacity,
      version: 'simulated',
      labels: {},
    };
  }

  async start(): Promise<this> {
    ({ incarnation: this.incarnation } = await this.registry.register(this.workerId, this.info()));
    this.startHeartbeat();
    if (this.options.consume === false) return this;
    this.connection = this.redis.duplicate({ maxRetriesPerRequest: null });
    this.worker = new Worker(workQueueName(this.workerId), (job: Job) => this.process(job), {
      connection: this.connection,
      prefix: bullPrefix(this.options.keyPrefix),
      concurrency: this.options.concurrency ?? 20,
    });
    return this;
  }

  startHeartbeat(): void {
    this.stopHeartbeat();
    const beat = async () => {
      const ok = await this.beat().catch(() => true);
      if (!ok) {
        // Declared lost while still alive (a zombie): its jobs are gone; rejoin empty.
        this.jobs.clear();
        ({ incarnation: this.incarnation } = await this.registry.register(
          this.workerId,
          this.info(),
        ));
      }
      if (this.timer) this.timer = setTimeout(beat, this.options.heartbeatMs ?? 300);
    };
    this.timer = setTimeout(beat, 0);
  }

  beat(): Promise<boolean> {
    return this.registry.heartbeat(this.workerId, {
      load: this.load,
      jobs: [...this.jobs].map(([jobId, j]) => ({ jobId, attempt: j.attempt })),
      capacity: this.options.capacity,
      incarnation: this.incarnation,
    });
  }

  /** Goes silent (a hung or partitioned worker); its queue consumer keeps running. */
  stopHeartbeat(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async process(job: Job): Promise<void> {
    const ctx = commandContext(`worker:${this.workerId}`);
    const name = job.name as keyof WorkPayloads;
    switch (name) {
      case 'job.start': {
        const p = job.data as WorkPayloads['job.start'];
        try {
          const r = await handleCommand(
            this.store,
            jobStreamId(p.jobId),
            jobDecider,
            {
              type: 'ReportRunning',
              data: {
                workerId: this.workerId,
                attempt: p.attempt,
                ingest: { rtmpBaseUrl: 'rtmp://127.0.0.1:1935/live' },
              },
            },
            ctx,
            { metadata: { jobId: p.jobId } },
          );
          const cost = r.state.status === 'initial' ? 0 : estimateJobCost(r.state.spec);
          this.jobs.set(p.jobId, { attempt: p.attempt, cost });
          this.started.push({ jobId: p.jobId, attempt: p.attempt });
        } catch (err) {
          if (!(err instanceof JobError)) throw err;
          if (err.code === 'ATTEMPT_FENCED')
            this.fenced.push({ jobId: p.jobId, attempt: p.attempt });
        }
        return;
      }
      case 'job.stop': {
        const p = job.data as WorkPayloads['job.stop'];
        this.jobs.delete(p.jobId);
        try {
          await handleCommand(
            this.store,
            jobStreamId(p.jobId),
            jobDecider,
            {
              type: 'ReportStopped',
              data: { workerId: this.workerId, attempt: p.attempt, reason: p.reason },
            },
            ctx,
            { metadata: { jobId: p.jobId } },
          );
        } catch (err) {
          if (!(err instanceof JobError)) throw err;
        }
        return;
      }
      case 'job.cleanup':
        this.cleanups.push(job.data as WorkPayloads['job.cleanup']);
        return;
      default: {
        const unreachable: never = name;
        throw new Error(`no handler for ${String(unreachable)}`);
      }
    }
  }

  /** Stops consuming and heartbeating without leaving the membership (a crash). */
  async crash(): Promise<void> {
    this.stopHeartbeat();
    await this.worker?.close(true);
    this.worker = null;
    this.connection?.disconnect();
    this.connection = null;
  }

  /** Graceful exit: leaves the membership (its jobs are reassigned). */
  async stop(): Promise<void> {
    await this.crash();
    await this.registry.deregister(this.workerId, 'test done').catch(() => undefined);
  }
}
