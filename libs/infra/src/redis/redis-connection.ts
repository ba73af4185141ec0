import { Redis, type RedisOptions } from 'ioredis';

/**
 * Connections that survive Redis restarts: commands queue while reconnecting (bounded
 * by `maxRetriesPerRequest`) and reconnects back off up to 2 s.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    lazyConnect: false,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 3,
    retryStrategy: (times) => Math.min(times * 100, 2_000),
    ...options,
  });
}
