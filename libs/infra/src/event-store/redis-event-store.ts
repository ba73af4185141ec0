import type { Redis } from 'ioredis';
import {
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedVersion,
  type ReadStreamOptions,
  type RecordedEvent,
} from '@ezlive/domain';
import { RedisKeys } from '../redis/redis-keys';
import { APPEND_SCRIPT } from './append.script';
import {
  decodePartitionEntry,
  decodeStreamEntry,
  encodeEnvelope,
  type StreamEntry,
} from './event-codec';

type WithAppend = Redis & {
  ezAppend(stream: string, partition: string, ...args: string[]): Promise<number>;
};

/** Event store on Redis Streams: a stream per aggregate plus partitioned global streams. */
export class RedisEventStore implements EventStore {
  private readonly redis: WithAppend;

  constructor(
    redis: Redis,
    readonly keys: RedisKeys,
  ) {
    this.redis = redis as WithAppend;
    if (!this.redis.ezAppend)
      redis.defineCommand('ezAppend', { numberOfKeys: 2, lua: APPEND_SCRIPT });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromVersion ?? 1;
    const to = options.toVersion === undefined ? '+' : `0-${options.toVersion}`;
    const entries = (await this.redis.xrange(
      this.keys.stream(streamId),
      `0-${Math.max(from, 1)}`,
      to,
    )) as StreamEntry[];
    return entries.map((e) => decodeStreamEntry(streamId, e));
  }

  async appendToStream(
    streamId: string,
    events: EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const args: string[] = [
      expected === 'any' ? 'any' : expected === 'no_stream' ? '0' : String(expected),
      JSON.stringify(streamId),
      String(events.length),
    ];
    for (const e of events) {
      const { streamId: _s, ...metadata } = e.metadata;
      args.push(encodeEnvelope(e.type, e.data, metadata));
    }
    try {
      const next = await this.redis.ezAppend(
        this.keys.stream(streamId),
        this.keys.partitionOfStream(streamId),
        ...args,
      );
      return { nextVersion: Number(next) };
    } catch (err) {
      const m = /^WRONG_VERSION (\d+)/.exec((err as Error).message);
      if (m) throw new WrongExpectedVersionError(streamId, expected, Number(m[1]));
      throw err;
    }
  }

  /** Current version of a stream (0 when it does not exist). */
  async streamVersion(streamId: string): Promise<number> {
    return this.redis.xlen(this.keys.stream(streamId));
  }

  /** Reads a partition range (used by rebuilds and tools). */
  async readPartition(
    partition: number,
    afterId: string,
    count: number,
  ): Promise<Array<{ id: string; event: RecordedEvent }>> {
    const entries = await this.readPartitionEntries(partition, afterId, count);
    return entries.map((e) => ({ id: e[0], event: decodePartitionEntry(e) }));
  }

  /**
   * {@link readPartition} undecoded (decode with `decodePartitionEntry`): a rebuild decodes
   * each entry as it folds it, so decoded events die young instead of a batch of them
   * outliving the fold.
   */
  readPartitionEntries(partition: number, afterId: string, count: number): Promise<StreamEntry[]> {
    return this.redis.xrange(
      this.keys.partition(partition),
      `(${afterId}`,
      '+',
      'COUNT',
      count,
    ) as Promise<StreamEntry[]>;
  }
}
