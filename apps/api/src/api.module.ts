import { hostname } from 'node:os';
import {
  Inject,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  createLogger,
  createRedis,
  EVENT_SOURCING,
  EventSourcing,
  JobSecretsStore,
  JobStatsStore,
  REDIS,
  SqsIntake,
} from '@ezlive/infra';
import { AdminController } from './admin/admin.controller';
import { loadApiConfig, type ApiConfig } from './api.config';
import { API_CONFIG, LOGGER, SQS_INTAKE } from './api.tokens';
import { ApiKeyGuard } from './auth/api-key.guard';
import { RateLimitGuard } from './auth/rate-limit.guard';
import { RedisAvailableGuard } from './auth/redis-available.guard';
import { ApiHealthController } from './health/api-health.controller';
import { EventHub } from './history/event-hub';
import { EventTailService } from './history/event-tail.service';
import { EventsStreamController } from './history/events-stream.controller';
import { JobHistoryController } from './history/job-history.controller';
import { IntakeOutbox } from './intake/intake-outbox';
import { IntakeReconciler } from './intake/intake-reconciler';
import { CreateJobService } from './jobs/create-job.service';
import { IdempotencyStore } from './jobs/idempotency.store';
import { JobCommandsService } from './jobs/job-commands.service';
import { JobPresenter } from './jobs/job-presenter';
import { JobQueriesService } from './jobs/job-queries.service';
import { JobsController } from './jobs/jobs.controller';
import { MetricsController } from './metrics/metrics.controller';
import { MetricsService } from './metrics/metrics.service';
import { WorkersController } from './workers/workers.controller';
import { UiModule } from './ui/ui.module';

export { API_CONFIG } from './api.tokens';

/** Hosts the read-model projections: every API replica joins the projections' consumer groups. */
class ProjectionsHost implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SQS_INTAKE) private readonly sqs: SqsIntake,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.es.startProjections(`api-${hostname()}-${process.pid}`);
  }

  /** Runs after every other shutdown hook (reconciler, SSE) released its work. */
  async onApplicationShutdown(): Promise<void> {
    await this.es.stopProjections();
    this.sqs.destroy();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/**
 * The api app. It wires its own Redis/EventSourcing providers (same tokens as the shared
 * EventSourcingModule) because its health routes also check SQS.
 */
export function ApiModule(config: ApiConfig = loadApiConfig(), logger?: Logger) {
  const log = logger ?? createLogger('api', config.logLevel);
  @Module({
    imports: [UiModule],
    controllers: [
      ApiHealthController,
      JobsController,
      JobHistoryController,
      EventsStreamController,
      WorkersController,
      AdminController,
      MetricsController,
    ],
    providers: [
      { provide: API_CONFIG, useValue: config },
      { provide: LOGGER, useValue: log },
      {
        provide: REDIS,
        useFactory: () => createRedis(config.redisUrl, { connectionName: 'ezlive-api' }),
      },
      {
        provide: EVENT_SOURCING,
        inject: [REDIS],
        useFactory: (redis: Redis) =>
          new EventSourcing(redis, { prefix: config.keyPrefix, partitions: config.partitions }),
      },
      { provide: SQS_INTAKE, useFactory: () => new SqsIntake(config.sqs) },
      {
        provide: JobSecretsStore,
        inject: [EVENT_SOURCING],
        useFactory: (es: EventSourcing) => new JobSecretsStore(es.redis, es.keys),
      },
      {
        provide: JobStatsStore,
        inject: [EVENT_SOURCING],
        useFactory: (es: EventSourcing) => new JobStatsStore(es.redis, es.keys),
      },
      {
        provide: IntakeOutbox,
        inject: [EVENT_SOURCING, SQS_INTAKE],
        useFactory: (es: EventSourcing, sqs: SqsIntake) =>
          new IntakeOutbox(es.redis, es.store, sqs, log, config.keyPrefix),
      },
      {
        provide: IdempotencyStore,
        inject: [REDIS],
        useFactory: (redis: Redis) => new IdempotencyStore(redis, config.keyPrefix),
      },
      { provide: JobPresenter, useValue: new JobPresenter(config.playbackBaseUrl) },
      ProjectionsHost,
      IntakeReconciler,
      EventHub,
      EventTailService,
      JobCommandsService,
      JobQueriesService,
      CreateJobService,
      MetricsService,
      { provide: APP_GUARD, useClass: ApiKeyGuard },
      { provide: APP_GUARD, useClass: RateLimitGuard },
      { provide: APP_GUARD, useClass: RedisAvailableGuard },
    ],
  })
  class ApiAppModule {}
  return ApiAppModule;
}
