import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { createRedis } from '@ezlive/infra';

/** Tests share the machine's Redis (or REDIS_URL) but never each other's keys. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(label: string): string {
  return `eztest-${label}-${randomBytes(4).toString('hex')}`;
}

export function testRedis(): Redis {
  return createRedis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Deletes every key under a prefix. */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
