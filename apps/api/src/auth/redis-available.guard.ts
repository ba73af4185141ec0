import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { REDIS } from '@ezlive/infra';
import { redisUnavailable } from '../problem/api-error';

/**
 * While the Redis connection is down, `/v1` requests get a 503 at once instead of
 * waiting for ioredis to give up on its retries (seconds per request). Anything that
 * still fails mid-request is mapped to the same 503 by the problem filter.
 */
@Injectable()
export class RedisAvailableGuard implements CanActivate {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (!(req.routeOptions.url ?? '').startsWith('/v1/') || this.redis.status === 'ready')
      return true;
    throw redisUnavailable();
  }
}
