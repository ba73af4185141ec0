import { Controller, Get, HttpException, HttpStatus, Inject } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from './tokens';

export const APP_NAME = Symbol('APP_NAME');

/** Liveness is the process answering; readiness also needs Redis. */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_NAME) private readonly app: string,
  ) {}

  @Get()
  async health(): Promise<{ status: 'ok'; app: string; redis: 'up' }> {
    return this.ready();
  }

  @Get('live')
  live(): { status: 'ok'; app: string } {
    return { status: 'ok', app: this.app };
  }

  @Get('ready')
  async ready(): Promise<{ status: 'ok'; app: string; redis: 'up' }> {
    try {
      await this.redis.ping();
    } catch {
      throw new HttpException(
        { status: 'unavailable', app: this.app, redis: 'down' },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    return { status: 'ok', app: this.app, redis: 'up' };
  }
}
