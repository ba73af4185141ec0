import type { Redis } from 'ioredis';
import { WrongExpectedVersionError, type EventToAppend } from '@ezlive/domain';
import { dropPrefix, testRedis, uniquePrefix } from '../../../../test/support/redis';
import { RedisKeys } from '../redis/redis-keys';
import { RedisEventStore } from './redis-event-store';
import { decodePartitionEntry, type StreamEntry } from './event-codec';

const event = (i: number, streamId = 'job-a'): EventToAppend => ({
  type: 'Probe',
  data: { i },
  metadata: {
    eventId: `e${i}`,
    streamId,
    at: '2026-01-01T00:00:00.000Z',
    actor: 'api',
    correlationId: 'c',
    causationId: null,
  },
});

describe('RedisEventStore (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let store: RedisEventStore;

  beforeEach(() => {
    redis = testRedis();
    prefix = uniquePrefix('store');
    store = new RedisEventStore(redis, new RedisKeys(prefix, 16));
  });
  afterEach(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('appends with versions, reads back with metadata, and checks the expected version', async () => {
    await store.appendToStream('job-a', [event(1), event(2)], 'no_stream');
    await expect(store.appendToStream('job-a', [event(3)], 'no_stream')).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    await expect(store.appendToStream('job-a', [event(3)], 1)).rejects.toMatchObject({ actual: 2 });
    expect(await store.appendToStream('job-a', [event(3)], 2)).toEqual({ nextVersion: 3 });
    const read = await store.readStream('job-a');
    expect(read.map((e) => [e.metadata.version, e.data])).toEqual([
      [1, { i: 1 }],
      [2, { i: 2 }],
      [3, { i: 3 }],
    ]);
    expect(read[0].metadata).toMatchObject({
      streamId: 'job-a',
      eventId: 'e1',
      actor: 'api',
      correlationId: 'c',
    });
    expect(
      (await store.readStream('job-a', { fromVersion: 2, toVersion: 2 })).map(
        (e) => e.metadata.version,
      ),
    ).toEqual([2]);
    expect(await store.readStream('job-missing')).toEqual([]);
  });

  it('reads events stored a field per part (before the envelope) and appends after them', async () => {
    // What earlier versions' append script wrote; Redis data outlives the code that wrote it.
    for (const v of [1, 2]) {
      const { streamId, ...metadata } = event(v).metadata;
      const fields = ['t', 'Probe', 'd', JSON.stringify({ i: v }), 'm', JSON.stringify(metadata)];
      await redis.xadd(store.keys.stream(streamId), `0-${v}`, ...fields);
      await redis.xadd(
        store.keys.partitionOfStream(streamId),
        '*',
        's',
        streamId,
        'v',
        v,
        ...fields,
      );
    }
    expect(await store.appendToStream('job-a', [event(3)], 2)).toEqual({ nextVersion: 3 });

    const read = await store.readStream('job-a');
    expect(read.map((e) => [e.metadata.version, e.data, e.metadata.eventId])).toEqual([
      [1, { i: 1 }, 'e1'],
      [2, { i: 2 }, 'e2'],
      [3, { i: 3 }, 'e3'],
    ]);
    const partition = await store.readPartition(store.keys.partitionOf('job-a'), '0-0', 10);
    expect(partition.map(({ event: e }) => e)).toEqual(read);
  });

  it('50 concurrent appenders on one stream: versions 1..N, no gap, no duplicate', async () => {
    const appenders = 50;
    const perAppender = 4;
    await Promise.all(
      Array.from({ length: appenders }, async (_, a) => {
        const conn = redis.duplicate();
        const s = new RedisEventStore(conn, store.keys);
        for (let k = 0; k < perAppender; k++) {
          for (let tries = 0; ; tries++) {
            const version = await s.streamVersion('job-hot');
            try {
              await s.appendToStream('job-hot', [event(a * 100 + k, 'job-hot')], version);
              break;
            } catch (err) {
              if (!(err instanceof WrongExpectedVersionError) || tries > 500) throw err;
            }
          }
        }
        conn.disconnect();
      }),
    );
    const read = await store.readStream('job-hot');
    expect(read.map((e) => e.metadata.version)).toEqual(
      Array.from({ length: appenders * perAppender }, (_, i) => i + 1),
    );
    const payloads = new Set(read.map((e) => (e.data as { i: number }).i));
    expect(payloads.size).toBe(appenders * perAppender);
    const partition = (await redis.xrange(
      store.keys.partitionOfStream('job-hot'),
      '-',
      '+',
    )) as StreamEntry[];
    expect(partition.map((p) => decodePartitionEntry(p).metadata.version)).toEqual(
      read.map((e) => e.metadata.version),
    );
  });

  it('never splits a stream from its partition when connections are killed mid-append', async () => {
    const victims = Array.from({ length: 8 }, () =>
      redis.duplicate({ maxRetriesPerRequest: 0, retryStrategy: () => null }),
    );
    await Promise.all(victims.map((v) => v.client('SETNAME', `${prefix}-victim`)));
    const writers = victims.map(async (conn, w) => {
      const s = new RedisEventStore(conn, store.keys);
      const batch = Array.from({ length: 20 }, (_, i) => event(i, `job-k${w}`));
      for (let n = 0; n < 200; n++) {
        try {
          await s.appendToStream(
            `job-k${w}`,
            batch.map((e) => ({ ...e, metadata: { ...e.metadata, streamId: `job-k${w}` } })),
            'any',
          );
        } catch {
          return; // connection killed
        }
      }
    });
    await new Promise((r) => setTimeout(r, 30));
    // Kill only our own victims (by client id): the Redis is shared with other tests.
    const list = String(await redis.call('CLIENT', 'LIST'));
    const ids = list
      .split('\n')
      .filter((l) => l.includes(`name=${prefix}-victim`))
      .map((l) => /id=(\d+)/.exec(l)![1]);
    expect(ids).toHaveLength(victims.length);
    await Promise.all(ids.map((id) => redis.call('CLIENT', 'KILL', 'ID', id)));
    await Promise.all(writers);
    victims.forEach((v) => v.disconnect());
    for (let w = 0; w < victims.length; w++) {
      const stream = await store.readStream(`job-k${w}`);
      const entries = (await redis.xrange(
        store.keys.partitionOfStream(`job-k${w}`),
        '-',
        '+',
      )) as StreamEntry[];
      const inPartition = entries
        .map(decodePartitionEntry)
        .filter((e) => e.metadata.streamId === `job-k${w}`);
      expect(stream.length % 20).toBe(0); // whole batches only
      expect(stream.length).toBeLessThan(200 * 20); // the kill did interrupt it
      expect(inPartition.map((e) => e.metadata.version)).toEqual(
        stream.map((e) => e.metadata.version),
      );
    }
  });
});
