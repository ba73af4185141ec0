import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RecordedEvent } from '@ezlive/domain';
import {
  decodePartitionEntry,
  EVENT_SOURCING,
  EventSourcing,
  REDIS,
  type StreamEntry,
} from '@ezlive/infra';
import { LOGGER } from '../api.tokens';

/** One subscriber of the live event feed (an open SSE response). */
export interface EventListener {
  onEvent(event: RecordedEvent): void;
  /** The feed may have missed events (Redis was unreachable): re-read what matters. */
  onResync(): void;
}

/** The hub's Redis client name (`CLIENT LIST` shows one per API process). */
export const eventHubConnectionName = (keyPrefix: string): string =>
  `${keyPrefix.replace(/:/g, '_')}-api-events`;

/** How long one blocking read waits; also bounds how late a stop is noticed. */
const BLOCK_MS = 5_000;

/**
 * The API's one live tail of every appended event: a single blocking `XREAD` over the global
 * partitions, fanned out to every open event stream. Open streams therefore cost no Redis
 * connection each, however many there are. It reads only while someone listens.
 */
@Injectable()
export class EventHub implements BeforeApplicationShutdown {
  private readonly listeners = new Set<EventListener>();
  private connection?: Redis;
  private loop?: Promise<void>;
  private ready?: Promise<void>;
  /** Bumped by every stop, so a start that was still reading cursors does not go live. */
  private generation = 0;

  constructor(
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Every event appended after the returned promise resolves reaches `listener`, until the
   * function it resolves with is called.
   */
  async subscribe(listener: EventListener): Promise<() => void> {
    this.listeners.add(listener);
    const unsubscribe = () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) void this.stop();
    };
    try {
      this.ready ??= this.start();
      await this.ready;
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.listeners.clear();
    await this.stop();
  }

  /**
   * Fixes where reading starts — each partition's last entry now — before anyone is told
   * the feed is live; `$` would mean "when the first XREAD runs", which can be later.
   */
  private async start(): Promise<void> {
    const generation = this.generation;
    const partitions = this.es.keys.allPartitions();
    const pipeline = this.redis.pipeline();
    for (const p of partitions) pipeline.xrevrange(p, '+', '-', 'COUNT', 1);
    let cursors: string[];
    try {
      cursors = ((await pipeline.exec()) ?? []).map(([err, entries]) => {
        if (err) throw err;
        return (entries as StreamEntry[])[0]?.[0] ?? '0-0';
      });
    } catch (err) {
      if (generation === this.generation) this.ready = undefined; // the next subscriber retries
      throw err;
    }
    if (generation !== this.generation) return; // stopped meanwhile
    const connection = this.redis.duplicate({
      maxRetriesPerRequest: null,
      connectionName: eventHubConnectionName(this.es.keys.prefix),
    });
    this.connection = connection;
    this.loop = this.read(connection, partitions, cursors);
  }

  private async stop(): Promise<void> {
    this.generation++;
    const loop = this.loop;
    this.connection?.disconnect();
    this.connection = undefined;
    this.loop = undefined;
    this.ready = undefined;
    await loop;
  }

  private async read(connection: Redis, partitions: string[], cursors: string[]): Promise<void> {
    let failing = false;
    while (this.connection === connection) {
      try {
        const reply = (await connection.xread(
          'COUNT',
          500,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          ...partitions,
          ...cursors,
        )) as Array<[string, StreamEntry[]]> | null;
        if (failing) {
          failing = false;
          for (const l of [...this.listeners]) l.onResync();
        }
        for (const [partition, entries] of reply ?? []) {
          cursors[partitions.indexOf(partition)] = entries.at(-1)![0];
          for (const entry of entries) {
            const event = decodePartitionEntry(entry);
            for (const l of [...this.listeners]) l.onEvent(event);
          }
        }
      } catch (err) {
        if (this.connection !== connection) return;
        if (!failing) this.logger.warn({ err: (err as Error).message }, 'event feed interrupted');
        failing = true;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
