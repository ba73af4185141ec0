import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  bullPrefix,
  workJobId,
  workQueueName,
  type WorkJobName,
  type WorkPayloads,
} from '../work/work-queue';

/**
 * Completed work is removed at once (it is in the job's events already; keeping it cost
 * ~1 KB per job). Failed work is kept, bounded, for inspection. Workers must treat a
 * repeated `job.start` for the attempt they run as a no-op anyway: BullMQ is at-least-once.
 */
const KEEP_FAILED = { age: 24 * 3600, count: 100 };
/** BullMQ's per-queue event stream, capped (default 10 000 entries per queue). */
const EVENTS_MAX_LEN = 100;

/**
 * Delivers typed work to a worker's BullMQ queue with deterministic job ids, so a
 * redelivered placement or a repeated stop adds nothing. One `Queue` per worker, sharing
 * one connection.
 */
export class WorkDispatcher {
  private readonly queues = new Map<string, Queue>();
  private readonly prefix: string;

  constructor(
    private readonly connection: Redis,
    keyPrefix: string,
  ) {
    this.prefix = bullPrefix(keyPrefix);
  }

  private queue(workerId: string): Queue {
    let q = this.queues.get(workerId);
    if (!q) {
      q = new Queue(workQueueName(workerId), {
        connection: this.connection,
        prefix: this.prefix,
        streams: { events: { maxLen: EVENTS_MAX_LEN } },
      });
      this.queues.set(workerId, q);
    }
    return q;
  }

  async dispatch<N extends WorkJobName>(name: N, payload: WorkPayloads[N]): Promise<string> {
    const id = workJobId(name, payload);
    await this.queue(payload.workerId).add(name, payload, {
      jobId: id,
      removeOnComplete: true,
      removeOnFail: KEEP_FAILED,
      attempts: 3,
      backoff: { type: 'exponential', delay: 500 },
    });
    return id;
  }

  /** Withdraws work the worker has not picked up yet (e.g. a start for a reassigned attempt). */
  async withdraw<N extends WorkJobName>(name: N, payload: WorkPayloads[N]): Promise<void> {
    const job = await this.queue(payload.workerId).getJob(workJobId(name, payload));
    if (job && (await job.isWaiting())) await job.remove().catch(() => undefined);
  }

  /** Forgets a worker's queue handle (the worker is gone); its keys stay for inspection. */
  async forget(workerId: string): Promise<void> {
    const q = this.queues.get(workerId);
    this.queues.delete(workerId);
    await q?.close();
  }

  async close(): Promise<void> {
    const qs = [...this.queues.values()];
    this.queues.clear();
    await Promise.allSettled(qs.map((q) => q.close()));
  }
}
