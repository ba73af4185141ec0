import type { WorkerInfo } from '@ezlive/domain';
import type { WorkerRegistry } from '@ezlive/infra';
import type { JobRuntime } from '../runtime/job-runtime';

export interface MembershipOptions {
  workerId: string;
  info: WorkerInfo;
  intervalMs: number;
  /** Cost units of the jobs held (for the heartbeat's observed load). */
  load: () => number;
  /** Current assignment of a job per the event store. */
  currentAssignment: (
    jobId: string,
  ) => Promise<{ attempt: number; workerId: string | null } | null>;
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void;
}

/**
 * Registers the worker, heartbeats, and handles the zombie case: a heartbeat refused means
 * the scheduler declared this incarnation lost and gave its jobs to others, so every FFmpeg
 * whose assignment is no longer ours is killed before the worker registers again.
 */
export class Membership {
  private timer?: NodeJS.Timeout;
  private incarnation = 0;
  private beating = false;

  constructor(
    private readonly registry: WorkerRegistry,
    private readonly runtime: JobRuntime,
    private readonly o: MembershipOptions,
  ) {}

  async start(): Promise<void> {
    ({ incarnation: this.incarnation } = await this.registry.register(
      this.o.workerId,
      this.o.info,
    ));
    this.o.log('info', 'registered', {
      workerId: this.o.workerId,
      incarnation: this.incarnation,
      capacity: this.o.info.capacity,
    });
    this.timer = setInterval(() => void this.beat(), this.o.intervalMs);
  }

  async beat(): Promise<void> {
    if (this.beating) return;
    this.beating = true;
    try {
      const ok = await this.registry.heartbeat(this.o.workerId, {
        load: this.o.load(),
        jobs: this.runtime.assignments(),
        capacity: this.o.info.capacity,
        incarnation: this.incarnation,
      });
      if (!ok) {
        const dropped = await this.runtime.releaseFenced(this.o.currentAssignment);
        this.o.log(
          'warn',
          'declared lost by the scheduler; stale jobs stopped, registering again',
          { dropped },
        );
        ({ incarnation: this.incarnation } = await this.registry.register(
          this.o.workerId,
          this.o.info,
        ));
      }
    } catch (err) {
      this.o.log('warn', 'heartbeat failed', { err: (err as Error).message });
    } finally {
      this.beating = false;
    }
  }

  async drain(reason: string): Promise<void> {
    clearInterval(this.timer);
    await this.registry.drain(this.o.workerId, reason).catch(() => undefined);
  }

  async leave(reason: string): Promise<void> {
    clearInterval(this.timer);
    await this.registry.deregister(this.o.workerId, reason);
  }
}
