import { handleCommand, workerDecider, workerStreamId, type EventStore } from '@ezlive/domain';
import { commandContext } from '../context/command-context';
import { reassignJob } from '../membership/reassign-job';
import type { FencedLease } from '../membership/detector-lease';
import type { WorkerRegistry } from '../membership/worker-registry';
import type { ReadModelStore } from '../projections/read-model-store';
import type { SchedulerLog } from './scheduler-log';

export interface FailureDetectorOptions {
  /** A worker silent this long is lost. */
  timeoutMs: number;
  /** Extra work to run on each tick while holding the lease (the reconciler). */
  onTick?: (leaseToken: number) => Promise<void>;
}

/**
 * Declares silent workers lost and reassigns their jobs. Runs only on the holder of the
 * `detector` lease (TTL = timeout / 2, polled every ≤ 1 s, so a dead holder is replaced
 * well within the timeout); the lost-declaration is fenced by the lease token in Redis.
 * Placing the reassigned jobs is the event router's job (on JobReassigned).
 */
export class FailureDetector {
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> = Promise.resolve();
  readonly intervalMs: number;
  /** Redis time at the end of the last tick that reached Redis; `null` after a failed one. */
  private lastTickEnd: number | null = null;
  /** Since when this detector has watched Redis without a gap. */
  private watchingSince = 0;

  constructor(
    readonly lease: FencedLease,
    private readonly registry: WorkerRegistry,
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly log: SchedulerLog,
    private readonly options: FailureDetectorOptions,
  ) {
    this.intervalMs = Math.max(50, Math.min(1000, Math.floor(lease.ttlMs / 3)));
  }

  start(): void {
    const tick = () => {
      this.ticking = this.tick().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** `releaseLease: false` simulates a holder that died (the lease must expire). */
  async stop(releaseLease = true): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    if (releaseLease) await this.lease.release().catch(() => undefined);
  }

  get isLeader(): boolean {
    return this.lease.heldToken > 0;
  }

  /**
   * Silence counts only if this detector watched it. After a gap in its own view of Redis —
   * Redis was down or restarting, this process was paused, or it just started — every
   * worker gets a full timeout to heartbeat again before anyone is declared lost: the
   * heartbeats it missed may have failed for the same reason it could not look.
   */
  private async tick(): Promise<void> {
    try {
      const now = await this.registry.now();
      if (this.lastTickEnd === null || now - this.lastTickEnd > this.maxGapMs)
        this.watchingSince = now;
      if (await this.lease.tryHold()) {
        if (now - this.watchingSince >= this.options.timeoutMs) await this.sweep();
        await this.options.onTick?.(this.lease.heldToken);
      }
      this.lastTickEnd = await this.registry.now();
    } catch (err) {
      this.lastTickEnd = null;
      this.log.error({ err }, `failure detector: ${(err as Error).message}`);
    }
  }

  /** Ticks follow each other by `intervalMs`; a pause longer than this is a gap. */
  private get maxGapMs(): number {
    return Math.max(3 * this.intervalMs, 1000);
  }

  /** One pass: every worker silent past the timeout is declared lost and its jobs reassigned. */
  async sweep(): Promise<string[]> {
    const lostIds: string[] = [];
    for (const candidate of await this.registry.stale(this.options.timeoutMs)) {
      const lost = await this.lease.declareLost(candidate.workerId, this.options.timeoutMs);
      if (!lost) continue;
      lostIds.push(lost.workerId);
      const silentMs = (await this.registry.now()) - lost.lastHeartbeatAt;
      const ctx = commandContext('scheduler', {
        correlationId: `detector-lease-${this.lease.heldToken}`,
      });
      await handleCommand(
        this.store,
        workerStreamId(lost.workerId),
        workerDecider,
        {
          type: 'DeclareWorkerLost',
          data: {
            lastHeartbeatAt: new Date(lost.lastHeartbeatAt).toISOString(),
            timeoutMs: this.options.timeoutMs,
          },
        },
        ctx,
        { metadata: { workerId: lost.workerId } },
      );
      const jobIds = new Set(lost.jobs.map((j) => j.jobId));
      for (const id of await this.readModels.members('job-view', `worker:${lost.workerId}`))
        jobIds.add(id);
      const reason = `worker ${lost.workerId} lost: no heartbeat for ${silentMs} ms (timeout ${this.options.timeoutMs} ms)`;
      this.log.warn({ workerId: lost.workerId, jobs: jobIds.size }, reason);
      await Promise.all(
        [...jobIds].map((jobId) => reassignJob(this.store, jobId, lost.workerId, reason, ctx)),
      );
    }
    return lostIds;
  }
}
