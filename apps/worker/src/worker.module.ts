import { Module } from '@nestjs/common';
import { EventSourcingModule } from '@ezlive/infra';
import { loadWorkerConfig, type WorkerConfig } from './worker.config';
import { WorkerService } from './worker.service';
import { WORKER_CONFIG } from './worker.tokens';

export function WorkerModule(config: WorkerConfig = loadWorkerConfig()) {
  @Module({
    imports: [
      EventSourcingModule.forRoot({
        app: 'worker',
        redisUrl: config.redisUrl,
        prefix: config.keyPrefix,
        partitions: config.partitions,
      }),
    ],
    providers: [{ provide: WORKER_CONFIG, useValue: config }, WorkerService],
  })
  class WorkerAppModule {}
  return WorkerAppModule;
}
