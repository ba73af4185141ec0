import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiConfig } from '../api.config';
import { API_CONFIG } from '../api.tokens';
import { ApiError } from '../problem/api-error';

const WINDOW_MS = 60_000;

/**
 * Fixed one-minute window per API key, per API instance. In memory on purpose: it costs
 * no Redis round trip on the hot path; with N replicas behind a balancer the effective
 * limit is about N × RATE_LIMIT_PER_MIN (docs/api.md#rate-limits).
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly limit: number;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.limit = config.rateLimitPerMin;
  }

  canActivate(context: ExecutionContext, now = Date.now()): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (!req.caller || this.limit === 0) return true;
    let w = this.windows.get(req.caller.keyId);
    if (!w || now - w.start >= WINDOW_MS) {
      if (this.windows.size > 10_000) this.windows.clear();
      w = { start: now, count: 0 };
      this.windows.set(req.caller.keyId, w);
    }
    w.count++;
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    void reply.header('ratelimit-limit', String(this.limit));
    void reply.header('ratelimit-remaining', String(Math.max(0, this.limit - w.count)));
    if (w.count > this.limit) {
      throw new ApiError('RATE_LIMITED', `more than ${this.limit} requests per minute`, {
        retryAfterSec: Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000)),
      });
    }
    return true;
  }
}
