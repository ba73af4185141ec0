import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Redis } from 'ioredis';
import { REDIS, SqsIntake } from '@ezlive/infra';
import { SQS_INTAKE } from '../api.tokens';

const CHECK_TIMEOUT_MS = 2_000;

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: string;
  @ApiProperty({ example: 'api' }) app!: string;
  @ApiProperty({ enum: ['up', 'down'], required: false }) redis?: string;
  @ApiProperty({ enum: ['up', 'down'], required: false }) sqs?: string;
}

async function check(p: () => Promise<unknown>): Promise<'up' | 'down'> {
  try {
    await Promise.race([
      p(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS).unref(),
      ),
    ]);
    return 'up';
  } catch {
    return 'down';
  }
}

/**
 * The api app's own health routes: readiness needs Redis *and* SQS (a replica that cannot
 * send intake messages should not take traffic). `/health` keeps the shared apps' shape.
 */
@ApiTags('operations')
@Controller('health')
export class ApiHealthController {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(SQS_INTAKE) private readonly sqs: SqsIntake,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Redis reachable (same shape as the other apps)' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const redis = await check(() => this.redis.ping());
    return this.answer(reply, { status: 'ok', app: 'api', redis });
  }

  @Get('live')
  @ApiOperation({ summary: 'The process answers' })
  @ApiOkResponse({ type: HealthDto })
  live(): HealthDto {
    return { status: 'ok', app: 'api' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Redis and SQS reachable' })
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ type: HealthDto })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthDto> {
    const [redis, sqs] = await Promise.all([
      check(() => this.redis.ping()),
      check(() => this.sqs.depth('main')),
    ]);
    return this.answer(reply, { status: 'ok', app: 'api', redis, sqs });
  }

  private answer(reply: FastifyReply, body: HealthDto): HealthDto {
    if (body.redis !== 'down' && body.sqs !== 'down') return body;
    void reply.code(503);
    return { ...body, status: 'unavailable' };
  }
}
