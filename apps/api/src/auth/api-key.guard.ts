import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ApiConfig } from '../api.config';
import { API_CONFIG } from '../api.tokens';
import { ApiError } from '../problem/api-error';
import { ApiKeyRing, type Caller } from './api-keys';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by {@link ApiKeyGuard} on `/v1` routes. */
    caller?: Caller;
  }
}

/** Route templates under these need a key; `/v1/admin` needs the admin scope. */
const PROTECTED = '/v1/';
const ADMIN = '/v1/admin/';

/**
 * Global guard keyed on the route template, so a new `/v1` controller is protected
 * without remembering a decorator. Health, metrics, docs and media stay public.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly ring: ApiKeyRing;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.ring = new ApiKeyRing(config.apiKeys);
  }

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const route = req.routeOptions.url ?? req.url;
    if (!route.startsWith(PROTECTED)) return true;
    const caller = this.ring.authenticate(req.headers.authorization);
    if (!caller) throw new ApiError('UNAUTHORIZED', 'send Authorization: Bearer <api key>');
    if (route.startsWith(ADMIN) && caller.scope !== 'admin')
      throw new ApiError('FORBIDDEN', 'this endpoint needs an admin key');
    req.caller = caller;
    return true;
  }
}
