import type { Redis } from 'ioredis';
import {
  DECLARE_LOST_SCRIPT,
  LEASE_ACQUIRE_SCRIPT,
  LEASE_RELEASE_SCRIPT,
  LEASE_RENEW_SCRIPT,
} from './membership.scripts';
import type { MembershipKeys } from './membership-keys';

/** What a fenced lost-declaration removed from the membership. */
export interface LostWorker {
  workerId: string;
  lastHeartbeatAt: number;
  /** Assignments from its last heartbeat and its capacity reservations (union). */
  jobs: Array<{ jobId: string; attempt: number }>;
}

/**
 * A named lease with a fencing token (`SET NX PX` semantics; the token comes from `INCR`
 * and grows with every new holder). Renewal is compare-and-extend, and every action taken
 * under the lease re-checks `holder:token` inside the same script, so a holder that paused
 * past its TTL (GC, stalled host) cannot act after someone else took over.
 */
export class FencedLease {
  private token = 0;

  constructor(
    private readonly redis: Redis,
    private readonly keys: MembershipKeys,
    readonly name: string,
    readonly holder: string,
    readonly ttlMs: number,
  ) {}

  /** Current fencing token, 0 when not held. */
  get heldToken(): number {
    return this.token;
  }

  private get value(): string {
    return `${this.holder}:${this.token}`;
  }

  /** Acquires or renews; returns whether this holder holds the lease now. */
  async tryHold(): Promise<boolean> {
    if (this.token > 0) {
      const renewed = await this.redis.eval(
        LEASE_RENEW_SCRIPT,
        1,
        this.keys.lease(this.name),
        this.value,
        String(this.ttlMs),
      );
      if (renewed === 1) return true;
      this.token = 0;
    }
    const token = Number(
      await this.redis.eval(
        LEASE_ACQUIRE_SCRIPT,
        2,
        this.keys.lease(this.name),
        this.keys.leaseSequence(this.name),
        this.holder,
        String(this.ttlMs),
      ),
    );
    this.token = token;
    return token > 0;
  }

  async release(): Promise<void> {
    if (this.token === 0) return;
    await this.redis.eval(LEASE_RELEASE_SCRIPT, 1, this.keys.lease(this.name), this.value);
    this.token = 0;
  }

  /**
   * Removes a worker from the membership if this holder still holds the lease and the
   * worker's heartbeat is still older than `timeoutMs`; `null` otherwise (nothing done).
   */
  async declareLost(workerId: string, timeoutMs: number): Promise<LostWorker | null> {
    if (this.token === 0) return null;
    const out = (await this.redis.eval(
      DECLARE_LOST_SCRIPT,
      3,
      this.keys.heartbeat(workerId),
      this.keys.members,
      this.keys.lease(this.name),
      workerId,
      this.value,
      String(timeoutMs),
    )) as string[];
    if (out.length === 0) return null;
    const jobs = new Map<string, number>();
    for (const j of JSON.parse(out[1]) as Array<{ jobId: string; attempt: number }>)
      jobs.set(j.jobId, j.attempt);
    for (const f of out.slice(2)) {
      const m = /^r:([^:]+):(\d+)$/.exec(f);
      if (m) jobs.set(m[1], Math.max(Number(m[2]), jobs.get(m[1]) ?? 0));
    }
    return {
      workerId,
      lastHeartbeatAt: Number(out[0]),
      jobs: [...jobs].map(([jobId, attempt]) => ({ jobId, attempt })),
    };
  }
}
