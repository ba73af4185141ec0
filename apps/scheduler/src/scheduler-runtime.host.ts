import {
  Controller,
  Get,
  HttpException,
  HttpStatus,
  Inject,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { hostname } from 'node:os';
import { createLogger, EVENT_SOURCING, EventSourcing, SchedulerRuntime } from '@ezlive/infra';
import type { SchedulerConfig } from './scheduler.config';

export const SCHEDULER_CONFIG = Symbol('SCHEDULER_CONFIG');
export const SCHEDULER_RUNTIME = Symbol('SCHEDULER_RUNTIME');

/** Thin Nest shell: the runtime (libs/infra/src/scheduling) does the work. */
export class SchedulerRuntimeHost implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly runtime: SchedulerRuntime;
  private readonly instanceId = `scheduler-${hostname()}-${process.pid}`;

  constructor(
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
  ) {
    this.runtime = new SchedulerRuntime(es, {
      instanceId: this.instanceId,
      keyPrefix: config.keyPrefix,
      strategy: config.strategy,
      heartbeatTimeoutMs: config.heartbeatTimeoutMs,
      reconcileIntervalMs: config.reconcileIntervalMs,
      assignTimeoutMs: config.assignTimeoutMs,
      resendAfterMs: config.resendAfterMs,
      sqs: config.sqs,
      sqsWaitSeconds: config.sqsWaitSeconds,
      intakeLoops: config.intakeLoops,
      log: createLogger('scheduler', config.logLevel),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // The reconciler reads the job-view indexes: keep them fed even without an API running.
    await this.es.startProjections(this.instanceId);
    await this.runtime.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
    await this.es.stopProjections();
  }
}

/** Scheduler readiness beyond Redis: SQS intake and whether this instance runs the detector. */
@Controller('health')
export class SchedulerHealthController {
  constructor(@Inject(SCHEDULER_RUNTIME) private readonly host: SchedulerRuntimeHost) {}

  @Get('scheduler')
  scheduler() {
    const status = this.host.runtime.status();
    if (status.sqs === 'down')
      throw new HttpException({ status: 'degraded', ...status }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ok', ...status };
  }
}
