/**
 * Runs an async task on demand, never two at once: requests made while it runs are folded into
 * one more run after it. For work that reads the current state of something (a directory, a
 * manifest) where only the latest state matters.
 */
export class CoalescedTask {
  private running = false;
  private again = false;
  private done?: Promise<void>;

  constructor(private readonly task: () => Promise<void>) {}

  request(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.done = (async () => {
      do {
        this.again = false;
        await this.task();
      } while (this.again);
      this.running = false;
    })();
  }

  /** Resolves once no run is in progress or pending. */
  async idle(): Promise<void> {
    while (this.running) await this.done;
  }
}
