import { Module } from '@nestjs/common';
import { EventSourcingModule } from '@ezlive/infra';
import { loadSchedulerConfig, type SchedulerConfig } from './scheduler.config';
import {
  SCHEDULER_CONFIG,
  SCHEDULER_RUNTIME,
  SchedulerHealthController,
  SchedulerRuntimeHost,
} from './scheduler-runtime.host';

export { SCHEDULER_CONFIG } from './scheduler-runtime.host';

export function SchedulerModule(config: SchedulerConfig = loadSchedulerConfig()) {
  @Module({
    imports: [
      EventSourcingModule.forRoot({
        app: 'scheduler',
        redisUrl: config.redisUrl,
        prefix: config.keyPrefix,
        partitions: config.partitions,
      }),
    ],
    controllers: [SchedulerHealthController],
    providers: [
      { provide: SCHEDULER_CONFIG, useValue: config },
      { provide: SCHEDULER_RUNTIME, useClass: SchedulerRuntimeHost },
    ],
  })
  class SchedulerAppModule {}
  return SchedulerAppModule;
}
