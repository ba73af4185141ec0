/**
 * Writes a rebuild has sent but not waited for yet, at most `limit` of them: `add` waits for the
 * oldest when full. A rejection is caught as it happens (no unhandled rejection while the
 * partition is busy reading) and rethrown by the next `add` or by `drain`.
 */
export class WritesInFlight {
  private readonly pending: Array<Promise<void>> = [];
  private failure: { error: unknown } | null = null;

  constructor(private readonly limit: number) {}

  async add(write: Promise<unknown>): Promise<void> {
    this.pending.push(
      write.then(
        () => undefined,
        (error: unknown) => {
          this.failure ??= { error };
        },
      ),
    );
    if (this.pending.length > this.limit) await this.pending.shift();
    this.rethrow();
  }

  async drain(): Promise<void> {
    await Promise.all(this.pending.splice(0));
    this.rethrow();
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}
