import type { Redis } from 'ioredis';
import type { CandidateCache } from './candidate-cache';
import type { JobPlacer } from './job-placer';
import type { SchedulerLog } from './scheduler-log';

/**
 * Places jobs waiting for capacity, oldest (lowest ULID) first, when capacity may have
 * appeared: woken by the event router (worker registered, an attempt ended) and by a
 * periodic tick (capacity a heartbeat reported). Strictly oldest first: a pass stops at the
 * first job that does not fit now but would fit an empty worker; jobs larger than any live
 * worker are skipped (at most `maxMisses` per pass).
 */
export class AwaitingDrainer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly placer: JobPlacer,
    private readonly candidates: CandidateCache,
    private readonly log: SchedulerLog,
    private readonly tickMs = 1000,
    private readonly maxMisses = 50,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.tickMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => this.log.error({ err }, `awaiting drainer: ${(err as Error).message}`))
      .finally(() => {
        this.running = null;
        if (this.again && this.timer) {
          this.again = false;
          this.wake();
        }
      });
  }

  private placeOne(jobId: string) {
    return this.placer.place(jobId, undefined, undefined, true).catch((err: { code?: string }) => {
      if (err.code === 'JOB_NOT_FOUND') return this.redis.zrem(this.key, jobId).then(() => null);
      throw err;
    });
  }

  private async drain(): Promise<void> {
    let cursor = '-';
    let misses = 0;
    let refreshed = false;
    for (;;) {
      const ids = await this.redis.zrangebylex(this.key, cursor, '+', 'LIMIT', 0, 100);
      if (ids.length === 0) return;
      for (const jobId of ids) {
        let outcome = await this.placeOne(jobId);
        if (outcome?.status === 'awaiting-capacity' && !refreshed) {
          // The first miss of a pass may come from a stale view (a worker just joined):
          // look again before letting a younger job overtake this one.
          refreshed = true;
          this.candidates.invalidate();
          outcome = await this.placeOne(jobId);
        }
        if (outcome?.status === 'awaiting-capacity') {
          // Strict oldest first: a job that could fit an empty live worker blocks younger
          // ones until it is placed (no starvation of large jobs). One that fits no worker
          // even when empty is skipped, so it cannot block the queue forever.
          const largest = Math.max(0, ...(await this.candidates.get()).map((w) => w.capacity));
          if (outcome.cost <= largest || ++misses >= this.maxMisses) return;
        }
      }
      cursor = `(${ids[ids.length - 1]}`;
    }
  }
}
