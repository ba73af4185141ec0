import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { EventSourcing } from '../event-sourcing';
import { createRedis } from '../redis/redis-connection';
import { HealthController, APP_NAME } from './health.controller';
import { EVENT_SOURCING, REDIS } from './tokens';

export interface EventSourcingModuleOptions {
  app: string;
  redisUrl: string;
  prefix: string;
  partitions: number;
}

/** One Redis connection per app for commands, the event store and read models. */
@Module({})
export class EventSourcingModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  static forRoot(options: EventSourcingModuleOptions): DynamicModule {
    return {
      module: EventSourcingModule,
      global: true,
      controllers: [HealthController],
      providers: [
        { provide: APP_NAME, useValue: options.app },
        {
          provide: REDIS,
          useFactory: () =>
            createRedis(options.redisUrl, { connectionName: `ezlive-${options.app}` }),
        },
        {
          provide: EVENT_SOURCING,
          inject: [REDIS],
          useFactory: (redis: Redis) =>
            new EventSourcing(redis, { prefix: options.prefix, partitions: options.partitions }),
        },
      ],
      exports: [REDIS, EVENT_SOURCING],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
