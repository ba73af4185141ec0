import { placementStrategy, type PlacementStrategyName } from '@ezlive/domain';
import type { EventSourcing } from '../event-sourcing';
import { CapacityLedger } from '../membership/capacity-ledger';
import { FencedLease } from '../membership/detector-lease';
import { WorkerRegistry } from '../membership/worker-registry';
import { SqsIntake, type SqsIntakeOptions } from '../sqs/sqs-intake';
import { AwaitingDrainer } from './awaiting-drainer';
import { CandidateCache } from './candidate-cache';
import { EventRouter } from './event-router';
import { FailureDetector } from './failure-detector';
import { IntakeConsumer } from './intake-consumer';
import { JobPlacer } from './job-placer';
import { Reconciler } from './reconciler';
import { silentLog, type SchedulerLog } from './scheduler-log';
import { WorkDispatcher } from './work-dispatcher';

export interface SchedulerRuntimeOptions {
  /** Unique per process: consumer name and lease holder id. */
  instanceId: string;
  keyPrefix: string;
  strategy: PlacementStrategyName;
  /** @defaultValue 6000 */
  heartbeatTimeoutMs: number;
  reconcileIntervalMs: number;
  assignTimeoutMs: number;
  /** Created jobs not queued after this long are re-sent to SQS. */
  resendAfterMs: number;
  /** `null` runs without intake (placement through events and the reconciler only). */
  sqs: SqsIntakeOptions | null;
  /** Long-poll wait (SQS maximum 20). @defaultValue 20 */
  sqsWaitSeconds?: number;
  intakeLoops?: number;
  rng?: () => number;
  log?: SchedulerLog;
}

/**
 * The scheduler without Nest: intake, placement, routing, failure detection and
 * reconciliation over one EventSourcing (its Redis connection is used for commands;
 * the runtime opens its own connections for blocking reads and BullMQ and closes them).
 */
export class SchedulerRuntime {
  readonly registry: WorkerRegistry;
  readonly ledger: CapacityLedger;
  readonly placer: JobPlacer;
  readonly detector: FailureDetector;
  readonly reconciler: Reconciler;
  readonly router: EventRouter;
  readonly intake: SqsIntake | null;
  readonly consumer: IntakeConsumer | null;
  readonly drainer: AwaitingDrainer;
  readonly candidates: CandidateCache;
  private readonly dispatcher: WorkDispatcher;
  private readonly bullConnection;
  private readonly log: SchedulerLog;

  constructor(
    readonly es: EventSourcing,
    readonly options: SchedulerRuntimeOptions,
  ) {
    const log = (this.log = options.log ?? silentLog);
    const redis = es.redis;
    const timeout = options.heartbeatTimeoutMs;
    this.registry = new WorkerRegistry(redis, es.store, options.keyPrefix);
    this.ledger = new CapacityLedger(redis, this.registry.keys, timeout);
    this.candidates = new CandidateCache(this.registry, timeout, Math.min(250, timeout / 4));
    this.bullConnection = redis.duplicate({ maxRetriesPerRequest: null });
    this.dispatcher = new WorkDispatcher(this.bullConnection, options.keyPrefix);
    this.placer = new JobPlacer({
      redis,
      store: es.store,
      registry: this.registry,
      ledger: this.ledger,
      dispatcher: this.dispatcher,
      candidates: this.candidates,
      strategy: placementStrategy(options.strategy),
      rng: options.rng ?? Math.random,
    });
    this.drainer = new AwaitingDrainer(
      redis,
      this.registry.keys.awaiting,
      this.placer,
      this.candidates,
      log,
      Math.min(1000, timeout / 2),
    );
    this.router = new EventRouter(
      redis.duplicate(),
      es.keys,
      es.store,
      this.ledger,
      this.dispatcher,
      this.placer,
      log,
      {
        consumerName: options.instanceId,
        isMember: (workerId) => this.registry.isMember(workerId),
        anyLiveWorker: async () =>
          (await this.registry.liveWorkers(timeout)).find((w) => !w.draining)?.workerId ?? null,
        onCapacity: () => {
          this.candidates.invalidate();
          this.drainer.wake();
        },
      },
    );
    this.intake = options.sqs ? new SqsIntake(options.sqs) : null;
    this.consumer = this.intake
      ? new IntakeConsumer(this.intake, this.placer, es.store, log, {
          waitSeconds: options.sqsWaitSeconds ?? 20,
          loops: options.intakeLoops ?? 2,
        })
      : null;
    this.reconciler = new Reconciler(
      redis,
      es.store,
      es.readModels,
      this.registry,
      this.ledger,
      this.placer,
      this.dispatcher,
      this.intake,
      log,
      {
        resendAfterMs: options.resendAfterMs,
        assignTimeoutMs: options.assignTimeoutMs,
        intervalMs: options.reconcileIntervalMs,
      },
    );
    const lease = new FencedLease(
      redis,
      this.registry.keys,
      'detector',
      options.instanceId,
      Math.max(100, Math.floor(timeout / 2)),
    );
    this.detector = new FailureDetector(lease, this.registry, es.store, es.readModels, log, {
      timeoutMs: timeout,
      onTick: async () => {
        await this.reconciler.maybeSweep();
      },
    });
  }

  async start(): Promise<void> {
    await this.router.start();
    this.drainer.start();
    this.detector.start();
    this.consumer?.start();
    this.log.info(
      { instanceId: this.options.instanceId, strategy: this.options.strategy },
      'scheduler runtime started',
    );
  }

  /** Stops every loop, releases the lease (unless simulating a crash), closes BullMQ and the runtime's connections. */
  async stop(releaseLease = true): Promise<void> {
    await this.consumer?.stop();
    await this.detector.stop(releaseLease);
    await this.drainer.stop();
    await this.router.stop();
    await this.dispatcher.close();
    this.bullConnection.disconnect();
    this.intake?.destroy();
  }

  status(): { sqs: 'up' | 'down' | 'disabled'; detectorLeader: boolean } {
    return {
      sqs: this.consumer ? (this.consumer.sqsUp ? 'up' : 'down') : 'disabled',
      detectorLeader: this.detector.isLeader,
    };
  }
}
