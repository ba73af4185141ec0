import type { Redis } from 'ioredis';
import {
  estimateJobCost,
  handleCommand,
  JobError,
  jobDecider,
  jobStreamId,
  type JobCommand,
  type JobEvent,
  type RecordedEvent,
  type JobState,
  type PlacementStrategy,
} from '@ezlive/domain';
import { commandContext } from '../context/command-context';
import { CapacityLedger } from '../membership/capacity-ledger';
import type { WorkerRegistry } from '../membership/worker-registry';
import type { CandidateCache } from './candidate-cache';
import type { WorkDispatcher } from './work-dispatcher';

export type PlacementOutcome =
  | { status: 'assigned' | 'already-assigned'; workerId: string; attempt: number }
  | { status: 'awaiting-capacity'; cost: number }
  | { status: 'not-placeable'; jobStatus: JobState['status'] };

/** Thrown inside AssignJob when the attempt moved on since the reservation was made. */
class StalePlacement extends Error {}

export interface JobPlacerDeps {
  redis: Redis;
  store: Parameters<typeof handleCommand>[0];
  registry: WorkerRegistry;
  ledger: CapacityLedger;
  dispatcher: WorkDispatcher;
  candidates: CandidateCache;
  strategy: PlacementStrategy;
  rng: () => number;
}

/**
 * Places one job: JobQueued (with its cost) → reserve capacity on the worker the strategy
 * picks → JobAssigned → `job.start` to that worker's queue; or JobAwaitingCapacity. Safe to
 * run concurrently for the same job from any number of instances: appends are
 * version-checked, reservations are keyed by job + attempt, and a placer that loses the
 * race releases only a reservation the winning assignment does not own.
 */
export class JobPlacer {
  constructor(private readonly d: JobPlacerDeps) {}

  private run(
    jobId: string,
    command: JobCommand | ((s: JobState) => JobCommand),
    chain?: { correlationId?: string; causationId?: string | null },
  ) {
    return handleCommand(
      this.d.store,
      jobStreamId(jobId),
      jobDecider,
      command,
      commandContext('scheduler', chain),
      {
        metadata: { jobId },
      },
    );
  }

  /** Throws `JobError` JOB_NOT_FOUND for an unknown or deleted job. */
  async place(
    jobId: string,
    chain?: { correlationId?: string; causationId?: string | null },
    /** Prefer any other worker (the one the job was just taken from), if one fits. */
    avoid?: string,
    /** Only the awaiting-queue drainer places waiting jobs (oldest first). */
    draining = false,
  ): Promise<PlacementOutcome> {
    let { state } = await this.run(
      jobId,
      (s) => ({
        type: 'QueueJob',
        data: { cost: s.status === 'initial' ? 0 : estimateJobCost(s.spec) },
      }),
      chain,
    );
    for (let round = 0; round < 5; round++) {
      switch (state.status) {
        case 'assigned':
          // Redelivered intake for a placed job: make sure the work exists (same id → no-op).
          await this.d.dispatcher.dispatch('job.start', {
            jobId,
            attempt: state.attempt,
            workerId: state.workerId,
          });
          await this.d.redis.zrem(this.d.registry.keys.awaiting, jobId);
          return { status: 'already-assigned', workerId: state.workerId, attempt: state.attempt };
        case 'queued':
        case 'awaiting_capacity': {
          if (state.status === 'awaiting_capacity' && !draining) {
            // A redelivered message must not let a waiting job jump the queue: only the
            // drainer places waiting jobs, oldest first.
            await this.d.redis.zadd(this.d.registry.keys.awaiting, 0, jobId);
            return { status: 'awaiting-capacity', cost: estimateJobCost(state.spec) };
          }
          const next = await this.tryAssign(jobId, state, chain, avoid);
          if ('outcome' in next) return next.outcome;
          state = next.state;
          break;
        }
        case 'initial':
        case 'created':
        case 'running':
        case 'streaming':
        case 'stopping':
        case 'stopped':
        case 'failed':
        case 'deleted':
          await this.d.redis.zrem(this.d.registry.keys.awaiting, jobId);
          return { status: 'not-placeable', jobStatus: state.status };
        default: {
          const unreachable: never = state;
          return unreachable;
        }
      }
    }
    throw new Error(`placement of ${jobId} kept racing; giving up for now`);
  }

  private async tryAssign(
    jobId: string,
    state: Extract<JobState, { status: 'queued' | 'awaiting_capacity' }>,
    chain?: { correlationId?: string; causationId?: string | null },
    avoid?: string,
  ): Promise<{ outcome: PlacementOutcome } | { state: JobState }> {
    const cost = estimateJobCost(state.spec);
    const attempt = state.attempt + 1;
    const awaitingKey = this.d.registry.keys.awaiting;
    // Oldest first: a fresh job does not overtake jobs already waiting for capacity.
    if (state.status === 'queued' && (await this.d.redis.zcard(awaitingKey)) > 0) {
      return this.waitForCapacity(jobId, cost, 'older jobs are waiting for capacity', chain);
    }
    const tried = new Set<string>(avoid ? [avoid] : []);
    for (;;) {
      let workerId = await this.d.candidates.pick(cost, this.d.strategy, this.d.rng, tried);
      if (!workerId && avoid && tried.delete(avoid))
        workerId = await this.d.candidates.pick(cost, this.d.strategy, this.d.rng, tried);
      if (!workerId)
        return this.waitForCapacity(
          jobId,
          cost,
          `no live worker can carry ${cost} cost units`,
          chain,
        );
      const reserved = await this.d.ledger.reserve(workerId, jobId, attempt, cost);
      if (reserved === 'no-capacity') {
        tried.add(workerId);
        this.d.candidates.markFull(workerId);
        continue;
      }
      try {
        const assigned = await this.run(
          jobId,
          (s) => {
            if (s.status !== 'initial' && s.attempt + 1 !== attempt) throw new StalePlacement();
            return { type: 'AssignJob', data: { workerId } };
          },
          chain,
        );
        await this.d.dispatcher.dispatch('job.start', { jobId, attempt, workerId });
        await this.d.redis.zrem(awaitingKey, jobId);
        return {
          outcome: {
            status: 'assigned',
            workerId,
            attempt: assigned.state.status === 'initial' ? attempt : assigned.state.attempt,
          },
        };
      } catch (err) {
        if (
          !(err instanceof StalePlacement) &&
          !(err instanceof JobError && err.code === 'JOB_NOT_PLACEABLE')
        ) {
          await this.releaseUnlessOwned(jobId, workerId, attempt);
          throw err;
        }
        return { state: await this.releaseUnlessOwned(jobId, workerId, attempt) };
      }
    }
  }

  /** Releases our reservation unless the job's current assignment is exactly it. */
  private async releaseUnlessOwned(
    jobId: string,
    workerId: string,
    attempt: number,
  ): Promise<JobState> {
    const events = (await this.d.store.readStream(jobStreamId(jobId))) as RecordedEvent<JobEvent>[];
    const now = events.reduce(jobDecider.evolve, jobDecider.initialState());
    const owned = 'workerId' in now && now.workerId === workerId && now.attempt === attempt;
    if (!owned) {
      await this.d.ledger.release(workerId, jobId, attempt);
      this.d.candidates.charge(workerId, -estimateJobCostOf(now));
    }
    return now;
  }

  private async waitForCapacity(
    jobId: string,
    cost: number,
    reason: string,
    chain?: { correlationId?: string; causationId?: string | null },
  ): Promise<{ outcome: PlacementOutcome } | { state: JobState }> {
    try {
      await this.run(jobId, { type: 'WaitForCapacity', data: { cost, reason } }, chain);
    } catch (err) {
      if (err instanceof JobError && err.code === 'JOB_NOT_PLACEABLE') {
        const { state } = await this.run(jobId, { type: 'QueueJob', data: { cost } }, chain);
        return { state };
      }
      throw err;
    }
    await this.d.redis.zadd(this.d.registry.keys.awaiting, 0, jobId);
    return { outcome: { status: 'awaiting-capacity', cost } };
  }
}

const estimateJobCostOf = (s: JobState): number =>
  s.status === 'initial' ? 0 : estimateJobCost(s.spec);
