import type { Redis } from 'ioredis';
import {
  jobDecider,
  jobStreamId,
  type RepairAction,
  type EventStore,
  type JobEvent,
  type JobState,
  type JobView,
  type WorkerView,
  type RecordedEvent,
} from '@ezlive/domain';
import { commandContext } from '../context/command-context';
import type { CapacityLedger } from '../membership/capacity-ledger';
import type { WorkerRegistry } from '../membership/worker-registry';
import type { ReadModelStore } from '../projections/read-model-store';
import type { SqsIntake } from '../sqs/sqs-intake';
import { commandJob, reassignJob as reassign } from '../membership/reassign-job';
import type { JobPlacer } from './job-placer';
import type { SchedulerLog } from './scheduler-log';
import type { WorkDispatcher } from './work-dispatcher';

export interface ReconcilerOptions {
  /** A created job not queued after this long is re-sent to SQS. */
  resendAfterMs: number;
  /** An assigned job not running after this long is reassigned. */
  assignTimeoutMs: number;
  /** Time between sweeps. */
  intervalMs: number;
  /** Read models lag a little; documents younger than this are left alone. @defaultValue 2000 */
  settleMs?: number;
  clock?: () => number;
}

export interface SweepReport {
  resent: string[];
  reassigned: string[];
  placed: string[];
  stopsResent: string[];
  releasedReservations: number;
}

/**
 * Periodic repair of what a crash between two steps can leave behind. Candidates come from
 * the job-view indexes (cheap, slightly stale); every action is re-checked against the job's
 * stream (the decider refuses what no longer applies) and recorded as an event with a reason.
 */
export class Reconciler {
  private lastRun = 0;

  constructor(
    private readonly redis: Redis,
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    private readonly registry: WorkerRegistry,
    private readonly ledger: CapacityLedger,
    private readonly placer: JobPlacer,
    private readonly dispatcher: WorkDispatcher,
    private readonly intake: SqsIntake | null,
    private readonly log: SchedulerLog,
    private readonly options: ReconcilerOptions,
  ) {}

  /** Runs a sweep if the interval has passed (called from the lease holder's tick). */
  async maybeSweep(): Promise<SweepReport | null> {
    const now = (this.options.clock ?? Date.now)();
    if (now - this.lastRun < this.options.intervalMs) return null;
    this.lastRun = now;
    return this.sweep();
  }

  private async views(state: string, olderThanMs: number): Promise<JobView[]> {
    // Every job in the state, not a first page: the oldest are the likeliest to be stuck.
    const cutoff = (this.options.clock ?? Date.now)() - olderThanMs;
    const out: JobView[] = [];
    for await (const v of this.readModels.all<JobView>('job-view', `state:${state}`))
      if (Date.parse(v.updatedAt) < cutoff) out.push(v);
    return out;
  }

  private async truth(jobId: string): Promise<JobState> {
    return (await this.truthWithAge(jobId)).state;
  }

  /** The job folded from its stream, and the time of its last event. */
  private async truthWithAge(jobId: string): Promise<{ state: JobState; lastAt: number }> {
    const events = (await this.store.readStream(jobStreamId(jobId))) as RecordedEvent<JobEvent>[];
    return {
      state: events.reduce(jobDecider.evolve, jobDecider.initialState()),
      lastAt: Date.parse(events.at(-1)?.metadata.at ?? '1970-01-01T00:00:00Z'),
    };
  }

  /**
   * Appends `JobRepaired` before a step is redone; false when the stream says the step no
   * longer applies (the view was stale, or the job moved on meanwhile).
   */
  private recordRepair(jobId: string, action: RepairAction, reason: string): Promise<boolean> {
    const command = { type: 'RecordRepair', data: { action, reason } } as const;
    return commandJob(this.store, jobId, command, commandContext('reconciler'));
  }

  async sweep(): Promise<SweepReport> {
    const report: SweepReport = {
      resent: [],
      reassigned: [],
      placed: [],
      stopsResent: [],
      releasedReservations: 0,
    };
    const settle = this.options.settleMs ?? 2000;
    const ctx = () => commandContext('reconciler');

    for (const v of await this.views('created', this.options.resendAfterMs)) {
      if (!this.intake) break;
      const reason = `created but not queued within ${this.options.resendAfterMs} ms`;
      if (!(await this.recordRepair(v.jobId, 'intake-resent', reason))) continue;
      await this.intake.send({ jobId: v.jobId });
      report.resent.push(v.jobId);
      this.log.warn({ jobId: v.jobId }, 'reconciler: created but never queued → re-sent to SQS');
    }

    for (const v of await this.views('assigned', this.options.assignTimeoutMs)) {
      // A view can lag its stream (a projection consumer died holding entries): only the
      // stream says whether the job is still waiting for its worker, and since when.
      const { state, lastAt } = await this.truthWithAge(v.jobId);
      const waited = (this.options.clock ?? Date.now)() - lastAt;
      if (state.status !== 'assigned' || waited < this.options.assignTimeoutMs) continue;
      const reason = `not running within ${this.options.assignTimeoutMs} ms of assignment to ${state.workerId}`;
      if (await reassign(this.store, v.jobId, state.workerId, reason, ctx()))
        report.reassigned.push(v.jobId);
    }

    const members = new Set(
      (await this.registry.liveWorkers(Number.MAX_SAFE_INTEGER)).map((w) => w.workerId),
    );
    // Placed (or stopping) on a worker that left or was lost without its jobs being moved.
    for (const status of ['lost', 'deregistered']) {
      for await (const w of this.readModels.all<WorkerView>('worker-view', `status:${status}`)) {
        if (members.has(w.workerId)) continue;
        for (const jobId of await this.readModels.members('job-view', `worker:${w.workerId}`)) {
          const reason = `worker ${w.workerId} is no longer a member (${status})`;
          if (await reassign(this.store, jobId, w.workerId, reason, ctx()))
            report.reassigned.push(jobId);
        }
      }
    }

    // Per live worker, compare what the job views place there with its reservations; only
    // disagreements are checked against the streams (cheap when everything is consistent).
    const now = await this.registry.now();
    for (const workerId of members) {
      const reservations = await this.ledger.reservations(workerId);
      const held = new Set(reservations.map((r) => `${r.jobId}:${r.attempt}`));
      const ids = await this.readModels.members('job-view', `worker:${workerId}`);
      const views = await this.readModels.getMany<JobView>('job-view', ids);
      const placedHere = new Set(views.map((v) => `${v.jobId}:${v.attempt}`));
      for (const v of views) {
        if (held.has(`${v.jobId}:${v.attempt}`) || Date.parse(v.updatedAt) > now - settle) continue;
        // A placed attempt always holds a reservation on its worker; one that does not was
        // orphaned by a worker restart (new incarnation) and nobody runs it.
        const s = await this.truth(v.jobId);
        if (!('workerId' in s) || s.workerId !== workerId || held.has(`${v.jobId}:${s.attempt}`))
          continue;
        const reason = `attempt ${s.attempt} holds no capacity on ${workerId} (worker restarted)`;
        if (await reassign(this.store, v.jobId, workerId, reason, ctx()))
          report.reassigned.push(v.jobId);
      }
      for (const r of reservations) {
        if (placedHere.has(`${r.jobId}:${r.attempt}`) || now - r.at < this.options.assignTimeoutMs)
          continue;
        // A reservation whose attempt is not placed there leaked (a placer crashed mid-way).
        const s = await this.truth(r.jobId);
        if ('workerId' in s && s.workerId === workerId && s.attempt === r.attempt) continue;
        report.releasedReservations +=
          (await this.ledger.release(workerId, r.jobId, r.attempt)) > 0 ? 1 : 0;
        this.log.warn({ ...r }, 'reconciler: released a leaked capacity reservation');
      }
    }

    // Stopping on a live worker that never confirmed: the stop may never have been routed
    // (no scheduler was up when it was requested). Same id → a no-op if it was.
    for (const v of await this.views('stopping', this.options.assignTimeoutMs)) {
      if (!v.workerId || !members.has(v.workerId)) continue;
      const reason = `stop not confirmed by ${v.workerId} within ${this.options.assignTimeoutMs} ms`;
      if (!(await this.recordRepair(v.jobId, 'stop-redispatched', reason))) continue;
      await this.dispatcher.dispatch('job.stop', {
        jobId: v.jobId,
        attempt: v.attempt,
        workerId: v.workerId,
        reason: v.stopReason ?? 'stop requested',
      });
      report.stopsResent.push(v.jobId);
    }

    // Queued but nobody placing it (a placer died after JobQueued or JobReassigned).
    const queued = (await this.views('queued', this.options.assignTimeoutMs)).reverse();
    for (const v of queued) {
      const outcome = await this.placer.place(v.jobId).catch(() => null);
      if (outcome?.status === 'assigned') report.placed.push(v.jobId);
    }
    // Waiting jobs are the drainer's (oldest first); make sure none fell out of its queue.
    const waiting = await this.views('awaiting_capacity', this.options.assignTimeoutMs);
    if (waiting.length > 0)
      await this.redis.zadd(this.registry.keys.awaiting, ...waiting.flatMap((v) => [0, v.jobId]));
    return report;
  }
}
