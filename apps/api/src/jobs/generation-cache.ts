import type { ReadModelStore } from '@ezlive/infra';

/**
 * The read-model generation changes only when a rebuild switches it, and the replaced
 * generation stays readable for 5 s after the switch (ProjectionAdmin's grace period).
 * Caching it for well under that removes a Redis round trip from every read.
 */
export class GenerationCache {
  private value = 0;
  private expires = 0;
  private pending?: Promise<number>;

  constructor(
    private readonly readModels: ReadModelStore,
    private readonly ttlMs = 1_000,
  ) {}

  async current(now = Date.now()): Promise<number> {
    if (now < this.expires) return this.value;
    this.pending ??= this.readModels.currentGeneration().then(
      (g) => {
        this.value = g;
        this.expires = Date.now() + this.ttlMs;
        this.pending = undefined;
        return g;
      },
      (err: unknown) => {
        this.pending = undefined;
        throw err;
      },
    );
    return this.pending;
  }
}
