/**
 * Membership keys. Not hash-tagged: under Redis Cluster, the lost-declaration script
 * touches a worker hash, the member ZSET and the lease together, so these would move
 * under one tag (e.g. `{m}`) — they are few and small (docs/scheduler.md#redis-cluster).
 */
export class MembershipKeys {
  constructor(readonly prefix: string) {}

  heartbeat(workerId: string): string {
    return `${this.prefix}:worker:${workerId}:hb`;
  }

  get members(): string {
    return `${this.prefix}:workers:heartbeat`;
  }

  lease(name: string): string {
    return `${this.prefix}:lease:${name}`;
  }

  leaseSequence(name: string): string {
    return `${this.prefix}:lease:${name}:seq`;
  }

  /** Jobs waiting for capacity, oldest (lowest ULID) first. */
  get awaiting(): string {
    return `${this.prefix}:sched:awaiting`;
  }
}
