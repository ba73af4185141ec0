import type { Redis } from 'ioredis';
import { dropPrefix, testRedis, uniquePrefix } from '../../../../test/support/redis';
import { EventSourcing } from '../event-sourcing';
import { CapacityLedger } from './capacity-ledger';
import { FencedLease } from './detector-lease';
import { WorkerRegistry } from './worker-registry';

const INFO = {
  host: 'h',
  rtmpPort: 1935,
  srtPortRange: [10000, 10010] as [number, number],
  cpuCores: 1,
  capacity: 100,
  version: 't',
  labels: {},
};

describe('worker membership, capacity ledger and fenced lease (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let es: EventSourcing;
  let registry: WorkerRegistry;
  let ledger: CapacityLedger;

  beforeEach(() => {
    redis = testRedis();
    prefix = uniquePrefix('member');
    es = new EventSourcing(redis, { prefix, partitions: 2 });
    registry = new WorkerRegistry(redis, es.store, prefix);
    ledger = new CapacityLedger(redis, registry.keys, 5_000);
  });
  afterEach(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('register → heartbeat → live; a stale incarnation is refused; re-registering starts a new one', async () => {
    const { incarnation } = await registry.register('w1', INFO);
    expect(incarnation).toBe(1);
    const beat = { load: 7, jobs: [{ jobId: 'j1', attempt: 1 }], capacity: 100, incarnation };
    expect(await registry.heartbeat('w1', beat)).toBe(true);
    const [live] = await registry.liveWorkers(5_000);
    expect(live).toMatchObject({ workerId: 'w1', capacity: 100, observedLoad: 7, load: 7 });
    expect(await registry.heartbeat('w1', { ...beat, incarnation: 0 })).toBe(false);
    expect((await registry.register('w1', INFO)).incarnation).toBe(2); // deregistered, then registered
    expect((await es.store.readStream('worker-w1')).map((e) => e.type)).toEqual([
      'WorkerRegistered',
      'WorkerDeregistered',
      'WorkerRegistered',
    ]);
  });

  it('200 concurrent reservations of 7 units on a 100-unit worker: exactly 14 succeed', async () => {
    await registry.register('w1', INFO);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) => ledger.reserve('w1', `j${i}`, 1, 7)),
    );
    expect(outcomes.filter((o) => o === 'reserved')).toHaveLength(14);
    expect((await registry.liveWorkers(5_000))[0].reserved).toBe(98);
    expect(await ledger.reserve('w1', 'j0', 1, 7)).not.toBe('reserved'); // idempotent or full
    const held = (await ledger.reservations('w1')).map((r) => r.jobId);
    expect(await ledger.release('w1', held[0], 1)).toBe(7);
    expect(await ledger.release('w1', held[0], 1)).toBe(0);
    expect((await registry.liveWorkers(5_000))[0].reserved).toBe(91);
  });

  it('observed load counts: a worker reporting more load than reserved takes less', async () => {
    const { incarnation } = await registry.register('w1', INFO);
    await registry.heartbeat('w1', { load: 95, jobs: [], capacity: 100, incarnation });
    expect(await ledger.reserve('w1', 'j1', 1, 10)).toBe('no-capacity');
    expect(await ledger.reserve('w1', 'j1', 1, 5)).toBe('reserved');
  });

  it('lease: one holder at a time, growing tokens, takeover after expiry, fenced lost-declaration', async () => {
    const a = new FencedLease(redis, registry.keys, 'detector', 'a', 300);
    const b = new FencedLease(redis, registry.keys, 'detector', 'b', 10_000);
    expect(await a.tryHold()).toBe(true);
    expect(await b.tryHold()).toBe(false);
    expect(await a.tryHold()).toBe(true); // renew
    const first = a.heldToken;
    await new Promise((r) => setTimeout(r, 400)); // a pauses past its TTL
    expect(await b.tryHold()).toBe(true);
    expect(b.heldToken).toBeGreaterThan(first);

    await registry.register('w1', INFO);
    await ledger.reserve('w1', 'j1', 2, 5);
    await new Promise((r) => setTimeout(r, 150));
    expect(await a.declareLost('w1', 100)).toBeNull(); // a's token is stale
    expect(await b.declareLost('w1', 10_000)).toBeNull(); // heartbeat still fresh enough
    const lost = await b.declareLost('w1', 100);
    expect(lost).toMatchObject({ workerId: 'w1', jobs: [{ jobId: 'j1', attempt: 2 }] });
    expect(await registry.isMember('w1')).toBe(false);
    expect(
      await registry.heartbeat('w1', { load: 0, jobs: [], capacity: 100, incarnation: 1 }),
    ).toBe(false);
    await b.release();
    expect(await a.tryHold()).toBe(true);
  });
});
