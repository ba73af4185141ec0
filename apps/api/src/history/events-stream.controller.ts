import type { OutgoingHttpHeaders } from 'node:http';
import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ApiV1 } from '../problem/api-problems.decorator';
import { EventTailService } from './event-tail.service';

/** Every job's events as they happen: what a dashboard or the demo UI's job list follows. */
@ApiTags('events')
@Controller('v1/events')
export class EventsStreamController {
  constructor(private readonly tail: EventTailService) {}

  @Get('stream')
  @ApiOperation({
    summary: 'Server-Sent Events: every job’s new events, live',
    description:
      'Each message: `event` = type, `data` = the event JSON (its `metadata.jobId` names the job). No history and no `id`: reload the job list on (re)connect. An `event: resync` message means events may have been missed while Redis was unreachable.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An endless text/event-stream' })
  @ApiV1()
  async stream(@Res() reply: FastifyReply): Promise<void> {
    // HEAD (which Fastify adds to every GET) must not hold a stream open for no body.
    if (reply.request.method === 'HEAD') {
      void reply.header('content-type', 'text/event-stream; charset=utf-8').send();
      return;
    }
    // Headers set by hooks (CORS, request id) live on the reply; a hijacked one drops them.
    const headers = reply.getHeaders() as OutgoingHttpHeaders;
    reply.hijack();
    await this.tail.streamAll(reply.raw, headers);
  }
}
