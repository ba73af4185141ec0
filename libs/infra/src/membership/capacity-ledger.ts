import type { Redis } from 'ioredis';
import { RELEASE_SCRIPT, RESERVE_SCRIPT } from './membership.scripts';
import type { MembershipKeys } from './membership-keys';

export type ReserveOutcome = 'reserved' | 'already-reserved' | 'no-capacity';

/** One reservation: the cost a placed attempt holds on its worker. */
export interface Reservation {
  workerId: string;
  jobId: string;
  attempt: number;
  cost: number;
  /** Redis time (ms) it was made. */
  at: number;
}

/**
 * Capacity accounting shared by every scheduler instance. A placement first reserves the
 * job's cost on the chosen worker in one Lua script that checks
 * `max(reserved, observed load) + cost ≤ capacity`, so concurrent placers can never
 * overfill a worker; the reservation is keyed by job + attempt (idempotent) and released
 * when that attempt ends (stopped, failed, reassigned, deleted) or the placement loses a race.
 */
export class CapacityLedger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: MembershipKeys,
    /** A worker whose heartbeat is older than this takes no new work. */
    private readonly freshMs: number,
  ) {}

  static field(jobId: string, attempt: number): string {
    return `r:${jobId}:${attempt}`;
  }

  static parseField(field: string): { jobId: string; attempt: number } | null {
    const m = /^r:([^:]+):(\d+)$/.exec(field);
    return m ? { jobId: m[1], attempt: Number(m[2]) } : null;
  }

  async reserve(
    workerId: string,
    jobId: string,
    attempt: number,
    cost: number,
  ): Promise<ReserveOutcome> {
    const r = await this.redis.eval(
      RESERVE_SCRIPT,
      1,
      this.keys.heartbeat(workerId),
      CapacityLedger.field(jobId, attempt),
      String(cost),
      String(this.freshMs),
    );
    return r === 1 ? 'reserved' : r === 2 ? 'already-reserved' : 'no-capacity';
  }

  /** Returns the released cost (0 if there was nothing to release: idempotent). */
  async release(workerId: string, jobId: string, attempt: number): Promise<number> {
    return Number(
      await this.redis.eval(
        RELEASE_SCRIPT,
        1,
        this.keys.heartbeat(workerId),
        CapacityLedger.field(jobId, attempt),
      ),
    );
  }

  /** Every reservation on a worker (the reconciler's leak sweep). */
  async reservations(workerId: string): Promise<Reservation[]> {
    const all = await this.redis.hgetall(this.keys.heartbeat(workerId));
    const out: Reservation[] = [];
    for (const [field, value] of Object.entries(all)) {
      const key = CapacityLedger.parseField(field);
      if (!key) continue;
      const [cost, at] = value.split(':').map(Number);
      out.push({ workerId, ...key, cost, at });
    }
    return out;
  }
}
