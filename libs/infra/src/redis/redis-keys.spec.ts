import keySlot from 'cluster-key-slot';
import { RedisKeys } from './redis-keys';

describe('RedisKeys', () => {
  const keys = new RedisKeys('ez', 16);

  it('keeps a stream and its partition in one Redis Cluster hash slot', () => {
    // The slot function ioredis's cluster client routes with: an append touches both keys in
    // one script, which Redis Cluster refuses (CROSSSLOT) unless they share a slot.
    for (const id of ['job-a', 'job-01JABCDEFGHJKMNPQRSTVWXYZ', 'worker-w1']) {
      const slot = keySlot.generateMulti([keys.stream(id), keys.partitionOfStream(id)]);
      expect(slot).toBe(keySlot(keys.partition(keys.partitionOf(id))));
    }
  });

  it('spreads the partitions over many slots', () => {
    const slots = new Set(Array.from({ length: 16 }, (_, p) => keySlot(keys.partition(p))));
    expect(slots.size).toBe(16);
  });

  it('spreads streams over every partition', () => {
    const used = new Set(Array.from({ length: 1000 }, (_, i) => keys.partitionOf(`job-${i}`)));
    expect(used.size).toBe(16);
  });
});
