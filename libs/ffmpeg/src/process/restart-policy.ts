import type { FfmpegExit } from './exit-classifier';
import { ProcessError } from './process-error';

export interface RestartPolicyOptions {
  /** Delay before the first restart. @defaultValue 1000 */
  initialDelayMs?: number;
  /** @defaultValue 30000 */
  maxDelayMs?: number;
  /** @defaultValue 2 */
  factor?: number;
  /** Each delay is scaled by a random factor in [1 − jitter, 1 + jitter]. @defaultValue 0.2 */
  jitter?: number;
  /** Restarts allowed within `windowMs` before giving up. @defaultValue 5 */
  maxAttempts?: number;
  /** Sliding window for the attempt budget. @defaultValue 600000 (10 min) */
  windowMs?: number;
  /** Uniform random source in [0, 1); injectable for tests. @defaultValue Math.random */
  random?: () => number;
}

export type RestartDecision =
  | { action: 'restart'; attempt: number; delayMs: number }
  | { action: 'give-up'; error: ProcessError };

/**
 * Exponential backoff with jitter and a budget of attempts per sliding window. Failures that
 * fall out of the window no longer count, so a job that crashes once a day restarts forever,
 * while one that crash-loops fails with the reason and its last stderr lines.
 */
export class RestartPolicy {
  private failures: number[] = [];
  private readonly o: Required<RestartPolicyOptions>;

  constructor(options: RestartPolicyOptions = {}) {
    this.o = {
      initialDelayMs: 1000,
      maxDelayMs: 30_000,
      factor: 2,
      jitter: 0.2,
      maxAttempts: 5,
      windowMs: 600_000,
      random: Math.random,
      ...options,
    };
  }

  /** Record a failed exit at `nowMs` and decide what to do. */
  onFailure(exit: FfmpegExit, nowMs: number): RestartDecision {
    this.failures = [...this.failures.filter((t) => nowMs - t < this.o.windowMs), nowMs];
    const attempt = this.failures.length;
    if (attempt > this.o.maxAttempts) {
      const minutes = Math.round(this.o.windowMs / 60_000);
      return {
        action: 'give-up',
        error: new ProcessError(
          'RESTART_BUDGET_EXHAUSTED',
          `FFmpeg failed ${attempt} times in ${minutes} min (last: ${exit.kind}, code ${exit.code}, signal ${exit.signal})`,
          exit.stderrTail,
        ),
      };
    }
    const base = Math.min(
      this.o.maxDelayMs,
      this.o.initialDelayMs * this.o.factor ** (attempt - 1),
    );
    const scale = 1 + this.o.jitter * (2 * this.o.random() - 1);
    return { action: 'restart', attempt, delayMs: Math.round(base * scale) };
  }

  /** Forget past failures (e.g. after a long healthy run). */
  reset(): void {
    this.failures = [];
  }
}
