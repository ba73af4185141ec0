import type { Redis } from 'ioredis';
import {
  handleCommand,
  workerDecider,
  workerStreamId,
  type CommandContext,
  type EventStore,
  type PlacementCandidate,
  type RecordedEvent,
  type WorkerCommand,
  type WorkerEvent,
  type WorkerInfo,
  type WorkerState,
} from '@ezlive/domain';
import { reassignJob } from './reassign-job';
import { commandContext } from '../context/command-context';
import { WORKER_ID_PATTERN } from '../work/work-queue';
import { HEARTBEAT_SCRIPT, NOW_SCRIPT, REGISTER_SCRIPT } from './membership.scripts';
import { MembershipKeys } from './membership-keys';

/** What a worker reports every heartbeat. */
export interface HeartbeatData {
  /** Cost units in use, as observed by the worker (see the cost model). */
  load: number;
  /** The assignments it is running. */
  jobs: Array<{ jobId: string; attempt: number }>;
  /** Cost units it can carry. */
  capacity: number;
  /** From {@link WorkerRegistry.register}; a stale incarnation must re-register. */
  incarnation: number;
}

/** A live member as placement and the failure detector see it. */
export interface LiveWorker extends PlacementCandidate {
  lastHeartbeatAt: number;
  reserved: number;
  observedLoad: number;
  incarnation: number;
  draining: boolean;
}

export class WorkerIdError extends Error {
  readonly code = 'INVALID_WORKER_ID';
}

/**
 * Worker membership: events on the worker aggregate (`worker-<id>`) for the record, a
 * heartbeat hash + ZSET in Redis for liveness and load. Workers call `register` once per
 * process start, then `heartbeat` every ~2 s; a heartbeat answering `false` means the
 * scheduler has declared this incarnation lost (or it never registered): re-register.
 */
export class WorkerRegistry {
  readonly keys: MembershipKeys;

  constructor(
    private readonly redis: Redis,
    private readonly store: EventStore,
    prefix: string,
  ) {
    this.keys = new MembershipKeys(prefix);
  }

  /**
   * Starts a new incarnation. A worker that restarts while still registered is
   * deregistered first and the jobs its previous process held are reassigned (that process
   * and its transcoders are gone).
   */
  async register(
    workerId: string,
    info: WorkerInfo,
    ctx: CommandContext = commandContext(`worker:${workerId}`),
  ): Promise<{ incarnation: number }> {
    if (!WORKER_ID_PATTERN.test(workerId))
      throw new WorkerIdError(`invalid worker id '${workerId}'`);
    const state = await this.state(workerId);
    if (state.status === 'active' || state.status === 'draining')
      await this.leave(workerId, 'worker process restarted', ctx);
    const result = await this.worker(
      workerId,
      { type: 'RegisterWorker', data: { workerId, info } },
      ctx,
    );
    const incarnation = result.state.status === 'initial' ? 0 : result.state.incarnation;
    await this.redis.eval(
      REGISTER_SCRIPT,
      2,
      this.keys.heartbeat(workerId),
      this.keys.members,
      workerId,
      String(info.capacity),
      String(incarnation),
    );
    return { incarnation };
  }

  /** Leaves the membership; whatever the worker still held is reassigned. */
  async deregister(
    workerId: string,
    reason = 'shutdown',
    ctx = commandContext(`worker:${workerId}`),
  ): Promise<void> {
    await this.leave(workerId, reason, ctx);
  }

  private async leave(workerId: string, reason: string, ctx: CommandContext): Promise<void> {
    // Out of placement first, then record, then hand its jobs back, then forget it.
    await this.redis.zrem(this.keys.members, workerId);
    await this.redis.hset(this.keys.heartbeat(workerId), 'draining', '1');
    await this.worker(workerId, { type: 'DeregisterWorker', data: { reason } }, ctx);
    const fields = await this.redis.hkeys(this.keys.heartbeat(workerId));
    const jobIds = new Set(fields.flatMap((f) => (f.startsWith('r:') ? [f.split(':')[1]] : [])));
    for (const j of await this.reportedJobs(workerId)) jobIds.add(j.jobId);
    const why = `worker ${workerId} deregistered: ${reason}`;
    await Promise.all(
      [...jobIds].map((jobId) =>
        reassignJob(
          this.store,
          jobId,
          workerId,
          why,
          commandContext('scheduler', { causationId: ctx.correlationId }),
        ),
      ),
    );
    await this.redis.del(this.keys.heartbeat(workerId));
  }

  private worker(workerId: string, command: WorkerCommand, ctx: CommandContext) {
    return handleCommand(this.store, workerStreamId(workerId), workerDecider, command, ctx, {
      metadata: { workerId },
    });
  }

  async state(workerId: string): Promise<WorkerState> {
    const events = (await this.store.readStream(
      workerStreamId(workerId),
    )) as RecordedEvent<WorkerEvent>[];
    return events.reduce(workerDecider.evolve, workerDecider.initialState());
  }

  /** `false`: this incarnation is not a member (declared lost or never registered). */
  async heartbeat(workerId: string, data: HeartbeatData): Promise<boolean> {
    const ok = await this.redis.eval(
      HEARTBEAT_SCRIPT,
      2,
      this.keys.heartbeat(workerId),
      this.keys.members,
      workerId,
      String(Math.max(0, Math.round(data.load))),
      JSON.stringify(data.jobs),
      String(data.capacity),
      String(data.incarnation),
    );
    return ok === 1;
  }

  /** Stops new placements on the worker (its jobs keep running). */
  async drain(workerId: string, reason: string, ctx = commandContext(`worker:${workerId}`)) {
    await this.redis.hset(this.keys.heartbeat(workerId), 'draining', '1');
    await handleCommand(
      this.store,
      workerStreamId(workerId),
      workerDecider,
      { type: 'DrainWorker', data: { reason } },
      ctx,
      {
        metadata: { workerId },
      },
    );
  }

  /** Redis time in ms: the one clock membership uses. */
  async now(): Promise<number> {
    return Number(await this.redis.eval(NOW_SCRIPT, 0));
  }

  /** Members whose last heartbeat is within `freshMs`, with capacity and load. */
  async liveWorkers(freshMs: number): Promise<LiveWorker[]> {
    const now = await this.now();
    const ids = await this.redis.zrangebyscore(this.keys.members, now - freshMs, '+inf');
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids)
      pipeline.hmget(
        this.keys.heartbeat(id),
        'at',
        'capacity',
        'load',
        'reserved',
        'n',
        'registeredAt',
        'incarnation',
        'draining',
      );
    const rows = (await pipeline.exec()) ?? [];
    const out: LiveWorker[] = [];
    rows.forEach(([err, v], i) => {
      const f = v as (string | null)[];
      if (err || !f || f[1] === null) return;
      const reserved = Number(f[3] ?? 0);
      const observedLoad = Number(f[2] ?? 0);
      out.push({
        workerId: ids[i],
        lastHeartbeatAt: Number(f[0]),
        capacity: Number(f[1]),
        load: Math.max(reserved, observedLoad),
        reserved,
        observedLoad,
        jobs: Number(f[4] ?? 0),
        registeredAt: Number(f[5] ?? 0),
        incarnation: Number(f[6] ?? 0),
        draining: f[7] !== null,
      });
    });
    return out;
  }

  /** Members whose last heartbeat is older than `olderThanMs`. */
  async stale(olderThanMs: number): Promise<Array<{ workerId: string; lastHeartbeatAt: number }>> {
    const now = await this.now();
    const flat = await this.redis.zrangebyscore(
      this.keys.members,
      '-inf',
      `(${now - olderThanMs}`,
      'WITHSCORES',
    );
    const out: Array<{ workerId: string; lastHeartbeatAt: number }> = [];
    for (let i = 0; i < flat.length; i += 2)
      out.push({ workerId: flat[i], lastHeartbeatAt: Number(flat[i + 1]) });
    return out;
  }

  /** Whether the worker has a membership hash at all (a lost or deregistered one does not). */
  async isMember(workerId: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.heartbeat(workerId))) === 1;
  }

  /** The assignments the worker last reported. */
  async reportedJobs(workerId: string): Promise<Array<{ jobId: string; attempt: number }>> {
    const raw = await this.redis.hget(this.keys.heartbeat(workerId), 'jobs');
    return raw ? (JSON.parse(raw) as Array<{ jobId: string; attempt: number }>) : [];
  }
}
