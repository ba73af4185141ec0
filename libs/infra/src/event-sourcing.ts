import type { Redis } from 'ioredis';
import { jobViewProjection, workerViewProjection, type Projection } from '@ezlive/domain';
import { RedisEventStore } from './event-store/redis-event-store';
import { ProjectionAdmin } from './projections/projection-admin';
import { ProjectionRunner } from './projections/projection-runner';
import { ReadModelStore } from './projections/read-model-store';
import { RedisKeys } from './redis/redis-keys';

export interface EventSourcingOptions {
  /** Key prefix; every key ezlive writes starts with it. @defaultValue 'ez' */
  prefix?: string;
  /** Number of global partitions. Fixed for the life of a deployment. @defaultValue 16 */
  partitions?: number;
}

export const PROJECTIONS: Projection<{ version: number }>[] = [
  jobViewProjection as unknown as Projection<{ version: number }>,
  workerViewProjection as unknown as Projection<{ version: number }>,
];

/** Wires the store, read models and projections over one Redis connection. */
export class EventSourcing {
  readonly keys: RedisKeys;
  readonly store: RedisEventStore;
  readonly readModels: ReadModelStore;
  readonly admin: ProjectionAdmin;
  private runners: ProjectionRunner[] = [];

  constructor(
    readonly redis: Redis,
    options: EventSourcingOptions = {},
  ) {
    this.keys = new RedisKeys(options.prefix ?? 'ez', options.partitions ?? 16);
    this.store = new RedisEventStore(redis, this.keys);
    this.readModels = new ReadModelStore(redis, this.keys);
    this.admin = new ProjectionAdmin(redis, this.store, this.readModels, PROJECTIONS);
  }

  /** Runs every projection in this process (one blocking connection each). */
  async startProjections(consumerName: string, onError?: (err: unknown) => void): Promise<void> {
    for (const p of PROJECTIONS) {
      const runner = new ProjectionRunner(this.redis.duplicate(), this.store, this.readModels, p, {
        consumerName,
        onError,
      });
      await runner.start();
      this.runners.push(runner);
    }
  }

  async stopProjections(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    this.runners = [];
  }
}
