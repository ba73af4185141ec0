import type { Redis } from 'ioredis';
import {
  isJobEvent,
  JobError,
  jobDecider,
  type EventStore,
  type JobEvent,
  type JobState,
  type RecordedEvent,
} from '@ezlive/domain';
import { decodePartitionEntry, type StreamEntry } from '../event-store/event-codec';
import type { RedisKeys } from '../redis/redis-keys';
import type { CapacityLedger } from '../membership/capacity-ledger';
import type { JobPlacer } from './job-placer';
import type { SchedulerLog } from './scheduler-log';
import type { WorkDispatcher } from './work-dispatcher';

export const ROUTER_GROUP = 'sched:router';

type XReadGroupReply = Array<[string, StreamEntry[]]> | null;

export interface EventRouterOptions {
  consumerName: string;
  /** Pending entries idle this long are claimed from dead instances. @defaultValue 10000 */
  claimIdleMs?: number;
  blockMs?: number;
  /** Called when capacity may have freed or appeared (wake awaiting jobs). */
  onCapacity: () => void;
  /** Whether a worker is still a member (cleanup goes only to live workers). */
  isMember: (workerId: string) => Promise<boolean>;
  /** Any live worker, for cleaning a remote origin when the last holder is gone. */
  anyLiveWorker: () => Promise<string | null>;
}

/**
 * Turns appended events into work: `StopRequested` → `job.stop` to the holder's queue;
 * the end of an attempt (stopped, failed, reassigned) → release its capacity; a reassigned
 * or resumed job → place it again; a new worker → wake jobs waiting for capacity. One
 * consumer group shared by every scheduler instance, so each event is routed once
 * (at-least-once: handlers are idempotent, entries are acked after handling).
 */
export class EventRouter {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();

  constructor(
    private readonly blocking: Redis,
    private readonly keys: RedisKeys,
    private readonly store: EventStore,
    private readonly ledger: CapacityLedger,
    private readonly dispatcher: WorkDispatcher,
    private readonly placer: JobPlacer,
    private readonly log: SchedulerLog,
    private readonly options: EventRouterOptions,
  ) {}

  async start(): Promise<void> {
    for (const partition of this.keys.allPartitions()) {
      try {
        // From now on: history before the first scheduler is the reconciler's business.
        await this.blocking.xgroup('CREATE', partition, ROUTER_GROUP, '$', 'MKSTREAM');
      } catch (err) {
        if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
      }
    }
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.blocking.disconnect();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    const partitions = this.keys.allPartitions();
    const claimIdleMs = this.options.claimIdleMs ?? 10_000;
    let recovering = true;
    let lastClaim = Date.now();
    while (this.running) {
      try {
        if (Date.now() - lastClaim > claimIdleMs) {
          lastClaim = Date.now();
          for (const p of partitions) {
            const [, entries] = (await this.blocking.xautoclaim(
              p,
              ROUTER_GROUP,
              this.options.consumerName,
              claimIdleMs,
              '0-0',
              'COUNT',
              100,
            )) as [string, StreamEntry[]];
            if (entries.length > 0) await this.handleReply([[p, entries]]);
          }
        }
        const reply = (await this.blocking.call(
          'XREADGROUP',
          'GROUP',
          ROUTER_GROUP,
          this.options.consumerName,
          'COUNT',
          '200',
          ...(recovering ? [] : ['BLOCK', String(this.options.blockMs ?? 1000)]),
          'STREAMS',
          ...partitions,
          ...partitions.map(() => (recovering ? '0' : '>')),
        )) as XReadGroupReply;
        const n = await this.handleReply(reply);
        if (recovering && n === 0) recovering = false;
      } catch (err) {
        if (!this.running) return;
        this.log.error({ err }, `event router: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async handleReply(reply: XReadGroupReply): Promise<number> {
    if (!reply) return 0;
    let n = 0;
    for (const [partition, entries] of reply) {
      const acked: string[] = [];
      for (const entry of entries) {
        n++;
        try {
          if (entry[1]) await this.route(decodePartitionEntry(entry));
          acked.push(entry[0]);
        } catch (err) {
          // Left pending: claimed again after claimIdleMs.
          this.log.error(
            { err, entry: entry[0] },
            `event router: handling failed: ${(err as Error).message}`,
          );
        }
      }
      if (acked.length > 0) await this.blocking.xack(partition, ROUTER_GROUP, ...acked);
    }
    return n;
  }

  /** The job as it was just before `event`: who held which attempt. */
  private async before(event: RecordedEvent): Promise<JobState> {
    const history = await this.store.readStream(event.metadata.streamId, {
      toVersion: event.metadata.version - 1,
    });
    return (history as RecordedEvent<JobEvent>[]).reduce(
      jobDecider.evolve,
      jobDecider.initialState(),
    );
  }

  private async placeUnlessGone(
    jobId: string,
    chain: { correlationId: string; causationId: string },
    avoid?: string,
  ) {
    try {
      await this.placer.place(jobId, chain, avoid);
    } catch (err) {
      if (!(err instanceof JobError && err.code === 'JOB_NOT_FOUND')) throw err;
    }
  }

  async route(event: RecordedEvent): Promise<void> {
    if (event.type === 'WorkerRegistered') return this.options.onCapacity();
    if (!isJobEvent(event)) return;
    const e = event as RecordedEvent<JobEvent>;
    const jobId = e.metadata.jobId ?? e.metadata.streamId.slice('job-'.length);
    const chain = { correlationId: e.metadata.correlationId, causationId: e.metadata.eventId };
    switch (e.type) {
      case 'StopRequested': {
        const prev = await this.before(e);
        if ('workerId' in prev) {
          const payload = { jobId, attempt: prev.attempt, workerId: prev.workerId };
          await this.dispatcher.withdraw('job.start', payload);
          await this.dispatcher.dispatch('job.stop', { ...payload, reason: e.data.reason });
        }
        return;
      }
      case 'JobStopped':
      case 'JobFailed': {
        const prev = await this.before(e);
        if (
          'workerId' in prev &&
          (await this.ledger.release(prev.workerId, jobId, prev.attempt)) > 0
        )
          this.options.onCapacity();
        return;
      }
      case 'JobReassigned': {
        const old = { jobId, attempt: e.data.attempt, workerId: e.data.fromWorkerId };
        await this.dispatcher.withdraw('job.start', old);
        if ((await this.ledger.release(old.workerId, jobId, old.attempt)) > 0)
          this.options.onCapacity();
        await this.placeUnlessGone(jobId, chain, old.workerId);
        return;
      }
      case 'ResumeRequested':
        await this.placeUnlessGone(jobId, chain);
        return;
      case 'JobDeleted':
        await this.cleanUp(jobId, await this.store.readStream(e.metadata.streamId));
        return;
      case 'JobCreated':
      case 'JobQueued':
      case 'JobAwaitingCapacity':
      case 'JobAssigned':
      case 'JobRunning':
      case 'IngestStarted':
      case 'IngestStopped':
      case 'TranscoderRestarted':
      case 'JobRepaired': // the reconciler redoes the step itself
        return;
      default: {
        const unreachable: never = e;
        return unreachable;
      }
    }
  }

  /**
   * The last holder still has the job's staging files and knows its ingest: it cleans up.
   * A remote origin (S3, HTTP) keeps the output whoever wrote it, so when that worker is
   * gone any live worker deletes it (they share the origin credentials). Local output is
   * removed by the API, which serves it.
   */
  private async cleanUp(jobId: string, history: readonly RecordedEvent[]): Promise<void> {
    const created = history.find((h) => h.type === 'JobCreated') as
      RecordedEvent<Extract<JobEvent, { type: 'JobCreated' }>> | undefined;
    if (!created) return;
    const { destination } = created.data.spec.output;
    const last = [...history].reverse().find((h) => h.type === 'JobAssigned') as
      RecordedEvent<Extract<JobEvent, { type: 'JobAssigned' }>> | undefined;
    let workerId =
      last && (await this.options.isMember(last.data.workerId)) ? last.data.workerId : null;
    if (!workerId && destination.type !== 'local') workerId = await this.options.anyLiveWorker();
    if (workerId) {
      await this.dispatcher.dispatch('job.cleanup', { jobId, workerId, destination });
    } else if (destination.type !== 'local') {
      this.log.warn(
        { jobId, destination: destination.type },
        'deleted job output left at the origin: no live worker to remove it',
      );
    }
  }
}
