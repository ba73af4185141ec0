import type { Redis } from 'ioredis';
import type { Projection } from '@ezlive/domain';
import { RedisEventStore } from '../event-store/redis-event-store';
import { decodePartitionEntry, type StreamEntry } from '../event-store/event-codec';
import { ReadModelStore } from './read-model-store';

export interface ProjectionRunnerOptions {
  /** Unique per process: names this consumer inside each projection's consumer group. */
  consumerName: string;
  /** Entries read per partition per round. @defaultValue 200 */
  batchSize?: number;
  /** How long one blocking read waits for new events. @defaultValue 1000 */
  blockMs?: number;
  /**
   * Pending entries idle this long are claimed from dead consumers (a live one applies an
   * entry in milliseconds), checked every second: a dead API or scheduler holds read
   * models back by at most this plus a second. @defaultValue 5000
   */
  claimIdleMs?: number;
  onError?: (err: unknown) => void;
}

type XReadGroupReply = Array<[string, StreamEntry[]]> | null;

/** How often pending entries of other consumers are checked for staleness. */
const CLAIM_CHECK_MS = 1_000;

/**
 * Feeds one projection from the partitioned global streams through consumer groups. Each
 * projection has its own group (its stable id is its checkpoint); an entry is acked only
 * after it was applied to every generation being written, so a crash re-delivers it and
 * idempotent application makes that harmless.
 */
export class ProjectionRunner {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly batchSize: number;
  private readonly blockMs: number;
  private readonly claimIdleMs: number;

  constructor(
    /** A dedicated connection: blocking reads hold it. Closed by `stop()`. */
    private readonly blocking: Redis,
    private readonly store: RedisEventStore,
    private readonly readModels: ReadModelStore,
    private readonly projection: Projection<{ version: number }>,
    private readonly options: ProjectionRunnerOptions,
  ) {
    this.batchSize = options.batchSize ?? 200;
    this.blockMs = options.blockMs ?? 1000;
    this.claimIdleMs = options.claimIdleMs ?? 5_000;
  }

  async start(): Promise<void> {
    if (this.running) return;
    await this.ensureGroups();
    this.running = true;
    this.loops = [this.loop()];
  }

  async stop(): Promise<void> {
    this.running = false;
    this.blocking.disconnect();
    await Promise.allSettled(this.loops);
  }

  private async ensureGroups(): Promise<void> {
    const keys = this.store.keys;
    for (const partition of keys.allPartitions()) {
      try {
        // From the beginning: a new projection (or a new deployment) folds all history.
        await this.blocking.xgroup(
          'CREATE',
          partition,
          keys.consumerGroup(this.projection.name),
          '0',
          'MKSTREAM',
        );
      } catch (err) {
        if (!String((err as Error).message).includes('BUSYGROUP')) throw err;
      }
    }
  }

  private async loop(): Promise<void> {
    const partitions = this.store.keys.allPartitions();
    const group = this.store.keys.consumerGroup(this.projection.name);
    let recovering = true;
    let lastClaim = Date.now();
    while (this.running) {
      try {
        if (Date.now() - lastClaim > Math.min(this.claimIdleMs, CLAIM_CHECK_MS)) {
          await this.claimStale(group, partitions);
          lastClaim = Date.now();
        }
        // The first pass re-reads this consumer's own pending entries (crash recovery).
        const reply = (await this.blocking.call(
          'XREADGROUP',
          'GROUP',
          group,
          this.options.consumerName,
          'COUNT',
          String(this.batchSize),
          ...(recovering ? [] : ['BLOCK', String(this.blockMs)]),
          'STREAMS',
          ...partitions,
          ...partitions.map(() => (recovering ? '0' : '>')),
        )) as XReadGroupReply;
        const delivered = await this.applyReply(group, reply);
        if (recovering && delivered === 0) recovering = false;
      } catch (err) {
        if (!this.running) return;
        this.options.onError?.(err);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async applyReply(group: string, reply: XReadGroupReply): Promise<number> {
    if (!reply) return 0;
    let n = 0;
    for (const [partition, entries] of reply) {
      const ids: string[] = [];
      const { current, next } = await this.readModels.generations();
      for (const entry of entries) {
        if (!entry[1]) {
          ids.push(entry[0]); // trimmed while pending: nothing to apply
          continue;
        }
        const event = decodePartitionEntry(entry);
        const p = this.projection;
        if (event.metadata.streamId.startsWith(p.streamPrefix) && p.canHandle(event.type)) {
          await this.readModels.apply(this.store, current, p, event);
          if (next !== null) await this.readModels.apply(this.store, next, p, event);
        }
        ids.push(entry[0]);
      }
      if (ids.length > 0) await this.blocking.xack(partition, group, ...ids);
      n += ids.length;
    }
    return n;
  }

  private async claimStale(group: string, partitions: string[]): Promise<void> {
    for (const partition of partitions) {
      const [, entries] = (await this.blocking.xautoclaim(
        partition,
        group,
        this.options.consumerName,
        this.claimIdleMs,
        '0-0',
        'COUNT',
        this.batchSize,
      )) as [string, StreamEntry[]];
      if (entries.length > 0) await this.applyReply(group, [[partition, entries]]);
    }
  }
}
