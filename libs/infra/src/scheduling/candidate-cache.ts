import type { PlacementStrategy } from '@ezlive/domain';
import type { LiveWorker, WorkerRegistry } from '../membership/worker-registry';

/**
 * Live workers for placement, refreshed at most every `ttlMs`. Choosing from a slightly
 * stale view only costs choice quality, never correctness: the reservation script is the
 * authority on capacity. Local charges keep one instance's burst spread out between refreshes.
 */
export class CandidateCache {
  private workers: LiveWorker[] = [];
  private fetchedAt = 0;
  private inflight: Promise<LiveWorker[]> | null = null;

  constructor(
    private readonly registry: WorkerRegistry,
    private readonly freshMs: number,
    private readonly ttlMs = 250,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Chooses and charges in one synchronous step, so concurrent placements in this instance
   * see each other's choices even before their reservations reach Redis.
   */
  async pick(
    cost: number,
    strategy: PlacementStrategy,
    rng: () => number,
    exclude: ReadonlySet<string>,
  ): Promise<string | null> {
    await this.get();
    const pool = this.workers.filter((w) => !exclude.has(w.workerId) && !w.draining);
    const id = strategy.choose(cost, pool, rng);
    if (id) this.charge(id, cost);
    return id;
  }

  async get(): Promise<LiveWorker[]> {
    if (this.clock() - this.fetchedAt < this.ttlMs) return this.workers.map((w) => ({ ...w }));
    this.inflight ??= this.registry
      .liveWorkers(this.freshMs)
      .then((ws) => {
        this.workers = ws;
        this.fetchedAt = this.clock();
        return ws;
      })
      .finally(() => (this.inflight = null));
    return (await this.inflight).map((w) => ({ ...w }));
  }

  /** Forces the next `get` to read Redis (a worker joined, capacity freed). */
  invalidate(): void {
    this.fetchedAt = 0;
  }

  charge(workerId: string, cost: number): void {
    const w = this.workers.find((x) => x.workerId === workerId);
    if (w) {
      w.load = Math.max(0, w.load + cost);
      w.jobs = Math.max(0, w.jobs + Math.sign(cost));
    }
  }

  markFull(workerId: string): void {
    const w = this.workers.find((x) => x.workerId === workerId);
    if (w) w.load = w.capacity;
  }
}
