import type { Redis } from 'ioredis';
import { dropPrefix, testRedis, uniquePrefix } from '../../../../test/support/redis';
import { RedisKeys } from '../redis/redis-keys';
import { JobStatsStore, type JobStats } from './job-stats.store';

const sample = (i: number, over: Partial<JobStats> = {}): JobStats => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, i * 2)).toISOString(),
  attempt: 1,
  ingestBitrateKbps: 2500 + i,
  ingestBytes: 1000 * i,
  outputFps: 30,
  speed: 1.01,
  droppedFrames: 0,
  dupFrames: i,
  ffmpegCpuPercent: 87.5,
  rssBytes: 150_000_000,
  uptimeSec: 2 * i,
  activeSec: 2 * i,
  restarts: 0,
  lastError: null,
  ...over,
});

describe('JobStatsStore (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let stats: JobStatsStore;

  beforeEach(() => {
    redis = testRedis();
    prefix = uniquePrefix('stats');
    stats = new JobStatsStore(redis, new RedisKeys(prefix, 4), { seriesLength: 5, ttlSec: 60 });
  });
  afterEach(async () => {
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it('returns null and an empty series for a job without samples', async () => {
    expect(await stats.latest('J1')).toBeNull();
    expect(await stats.series('J1')).toEqual([]);
  });

  it('keeps the latest sample exactly, nulls included', async () => {
    await stats.write('J1', sample(1));
    const last = sample(2, { outputFps: null, speed: null, lastError: 'Conversion failed' });
    await stats.write('J1', last);
    expect(await stats.latest('J1')).toEqual(last);
  });

  it('caps the series, oldest first, and expires both keys', async () => {
    for (let i = 0; i < 8; i++) await stats.write('J1', sample(i));
    expect((await stats.series('J1')).map((s) => s.dupFrames)).toEqual([3, 4, 5, 6, 7]);
    expect((await stats.series('J1', 2)).map((s) => s.dupFrames)).toEqual([6, 7]);
    const ttl1 = await redis.ttl(`${prefix}:stats:job:J1`);
    const ttl2 = await redis.ttl(`${prefix}:stats:series:J1`);
    expect(ttl1).toBeGreaterThan(0);
    expect(ttl2).toBeGreaterThan(0);
  });

  it('keeps jobs apart and deletes one', async () => {
    await stats.write('J1', sample(1));
    await stats.write('J2', sample(2));
    await stats.delete('J1');
    expect(await stats.latest('J1')).toBeNull();
    expect(await stats.series('J1')).toEqual([]);
    expect((await stats.latest('J2'))?.dupFrames).toBe(2);
  });
});
