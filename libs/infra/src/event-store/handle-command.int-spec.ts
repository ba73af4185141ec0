import type { Redis } from 'ioredis';
import {
  handleCommand,
  WrongExpectedVersionError,
  type Decider,
  type EventStore,
} from '@ezlive/domain';
import { dropPrefix, testRedis, uniquePrefix } from '../../../../test/support/redis';
import { commandContext } from '../context/command-context';
import { RedisKeys } from '../redis/redis-keys';
import { RedisEventStore } from './redis-event-store';

type Counted = { type: 'Counted'; data: { n: number; by: string } };
/** The smallest decider whose next event depends on the state: n = count so far + 1. */
const counter: Decider<{ by: string }, number, Counted> = {
  initialState: () => 0,
  evolve: (n) => n + 1,
  decide: (cmd, n) => [{ type: 'Counted', data: { n: n + 1, by: cmd.by } }],
};

/** The real store, with a competing writer slipped in before the first `times` appends. */
function racing(store: RedisEventStore, times: number): EventStore & { conflicts: number } {
  let left = times;
  const wrapper = {
    conflicts: 0,
    readStream: store.readStream.bind(store),
    async appendToStream(...args: Parameters<EventStore['appendToStream']>) {
      if (left-- > 0) {
        await handleCommand(store, args[0], counter, { by: 'rival' }, commandContext('api'));
      }
      try {
        return await store.appendToStream(...args);
      } catch (err) {
        if (err instanceof WrongExpectedVersionError) wrapper.conflicts++;
        throw err;
      }
    },
  };
  return wrapper;
}

describe('handleCommand on the Redis store (version conflicts)', () => {
  let redis: Redis;
  let prefix: string;
  let store: RedisEventStore;

  beforeEach(() => {
    redis = testRedis();
    prefix = uniquePrefix('handle');
    store = new RedisEventStore(redis, new RedisKeys(prefix, 4));
  });
  afterEach(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('a conflicting append is re-read, re-decided on the new state and appended', async () => {
    const racy = racing(store, 2);
    const result = await handleCommand(racy, 'c-1', counter, { by: 'me' }, commandContext('api'));
    expect(racy.conflicts).toBe(2);
    // Decided a third time, on the state after both rivals: n = 3, at version 3.
    expect(result.events.map((e) => e.data)).toEqual([{ n: 3, by: 'me' }]);
    expect(result.version).toBe(3);
    expect((await store.readStream('c-1')).map((e) => e.data)).toEqual([
      { n: 1, by: 'rival' },
      { n: 2, by: 'rival' },
      { n: 3, by: 'me' },
    ]);
  });

  it('gives up with the conflict after maxRetries', async () => {
    const racy = racing(store, 10);
    await expect(
      handleCommand(racy, 'c-2', counter, { by: 'me' }, commandContext('api'), { maxRetries: 2 }),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(racy.conflicts).toBe(3);
    const rivals = (await store.readStream('c-2')).map((e) => (e.data as Counted['data']).by);
    expect(new Set(rivals)).toEqual(new Set(['rival']));
  });
});
