import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  jobDecider,
  jobStreamId,
  type EventStore,
  type JobEvent,
  type RecordedEvent,
} from '@ezlive/domain';
import type { SqsIntake } from '@ezlive/infra';

export interface SweepReport {
  sent: number;
  /** Entries whose job no longer needs placing (already queued, stopped, deleted, never created). */
  dropped: number;
  failed: number;
}

const RELEASE_LOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Transactional-outbox for SQS intake. A job id is recorded in a sorted set (score = time)
 * *before* its `JobCreated`/`ResumeRequested` is appended and removed once SQS confirmed
 * the send, so a crash or an SQS outage in between leaves a trace the sweep re-sends.
 * The sweep only re-sends jobs still waiting for placement (`created`), so an entry whose
 * send did succeed before a crash costs at most one duplicate message, which the
 * scheduler absorbs (QueueJob is idempotent).
 */
export class IntakeOutbox {
  readonly pendingKey: string;
  private readonly lockKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly store: EventStore,
    private readonly sqs: SqsIntake,
    private readonly logger: Logger,
    prefix: string,
  ) {
    this.pendingKey = `${prefix}:intake:pending`;
    this.lockKey = `${prefix}:intake:sweep-lock`;
  }

  async reserve(jobId: string, now = Date.now()): Promise<void> {
    await this.redis.zadd(this.pendingKey, now, jobId);
  }

  async release(jobId: string): Promise<void> {
    await this.redis.zrem(this.pendingKey, jobId);
  }

  /** Sends now; on failure the entry stays for the sweep. Never throws. */
  async send(jobId: string): Promise<boolean> {
    try {
      await this.sqs.send({ jobId });
    } catch (err) {
      this.logger.warn(
        { jobId, err: (err as Error).message },
        'intake send failed; the reconciler will retry',
      );
      return false;
    }
    await this.release(jobId).catch(() => undefined);
    return true;
  }

  async pendingCount(): Promise<number> {
    return this.redis.zcard(this.pendingKey);
  }

  /**
   * Re-sends entries older than `olderThanMs`. One sweeper at a time across replicas
   * (a short lock); returns `null` when another instance holds it.
   */
  async sweep(olderThanMs: number, lockMs = 30_000, now = Date.now()): Promise<SweepReport | null> {
    const token = randomBytes(8).toString('hex');
    if ((await this.redis.set(this.lockKey, token, 'PX', lockMs, 'NX')) !== 'OK') return null;
    const report: SweepReport = { sent: 0, dropped: 0, failed: 0 };
    try {
      const due = await this.redis.zrangebyscore(
        this.pendingKey,
        '-inf',
        now - olderThanMs,
        'LIMIT',
        0,
        100,
      );
      for (const jobId of due) {
        const history = (await this.store.readStream(
          jobStreamId(jobId),
        )) as RecordedEvent<JobEvent>[];
        const state = history.reduce(jobDecider.evolve, jobDecider.initialState());
        if (state.status !== 'created') {
          await this.release(jobId);
          report.dropped++;
        } else if (await this.send(jobId)) {
          report.sent++;
        } else {
          report.failed++;
        }
      }
    } finally {
      await this.redis.eval(RELEASE_LOCK, 1, this.lockKey, token).catch(() => undefined);
    }
    if (report.sent + report.dropped + report.failed > 0) {
      this.logger.info(report, 'intake reconciler sweep');
    }
    return report;
  }
}
