import type { OutgoingHttpHeaders } from 'node:http';
import { Controller, Get, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import {
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import {
  foldDocument,
  historyUpTo,
  jobNotFound,
  jobStreamId,
  jobViewProjection,
  replayJob,
  type JobEvent,
  type RecordedEvent,
  type ReplayPoint,
} from '@ezlive/domain';
import { EVENT_SOURCING, EventSourcing } from '@ezlive/infra';
import { assertJobId } from '../jobs/job-id';
import { invalidRequest } from '../problem/api-error';
import { ApiV1 } from '../problem/api-problems.decorator';
import { JobHistoryDto, JobStateAtDto } from './dto/history.dto';
import { EventTailService } from './event-tail.service';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** `?version=N` or `?at=ISO-8601`, exactly one. */
export function parseReplayPoint(q: Record<string, unknown>): ReplayPoint {
  const { version, at } = q;
  if ((version === undefined) === (at === undefined))
    throw invalidRequest('version', 'REQUIRED', 'give exactly one of version or at');
  if (version !== undefined) {
    if (typeof version !== 'string' || !/^\d{1,9}$/.test(version))
      throw invalidRequest('version', 'NOT_INTEGER', 'a non-negative integer');
    return { version: Number(version) };
  }
  if (typeof at !== 'string' || !ISO_8601.test(at) || Number.isNaN(Date.parse(at)))
    throw invalidRequest('at', 'INVALID_FORMAT', 'an ISO-8601 date-time with a zone');
  return { at };
}

/** Event history, time travel and the live event stream of one job. */
@ApiTags('events')
@Controller('v1/jobs/:id')
export class JobHistoryController {
  constructor(
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    private readonly tail: EventTailService,
  ) {}

  private async history(id: string): Promise<RecordedEvent<JobEvent>[]> {
    const events = await this.es.store.readStream(jobStreamId(assertJobId(id)));
    if (events.length === 0) throw jobNotFound();
    return events as RecordedEvent<JobEvent>[];
  }

  @Get('events')
  @ApiOperation({ summary: 'Full event history with metadata (kept after delete)' })
  @ApiOkResponse({ type: JobHistoryDto })
  @ApiV1(404)
  async events(@Param('id') id: string): Promise<JobHistoryDto> {
    const events = await this.history(id);
    return { id, version: events.length, events };
  }

  @Get('state')
  @ApiOperation({ summary: 'The job folded to a version or an instant (time travel)' })
  @ApiQuery({ name: 'version', required: false, schema: { type: 'integer', minimum: 0 } })
  @ApiQuery({ name: 'at', required: false, schema: { type: 'string', format: 'date-time' } })
  @ApiOkResponse({ type: JobStateAtDto })
  @ApiV1(400, 404)
  async state(
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
  ): Promise<JobStateAtDto> {
    const point = parseReplayPoint(query);
    const events = await this.history(id);
    const { state, version } = replayJob(events, point);
    const upTo = historyUpTo(events, point);
    return {
      id,
      version,
      at: upTo.at(-1)?.metadata.at ?? null,
      state,
      view: foldDocument(jobViewProjection, upTo),
    };
  }

  @Get('events/stream')
  @ApiOperation({
    summary: 'Server-Sent Events: the history, then new events live',
    description:
      'Each message: `id` = stream version, `event` = type, `data` = the event JSON. Send `Last-Event-ID` to resume.',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this version' })
  @ApiOkResponse({ description: 'An endless text/event-stream' })
  @ApiV1(404)
  async stream(
    @Param('id') id: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.history(id);
    const after = /^\d{1,9}$/.test(lastEventId ?? '') ? Number(lastEventId) : 0;
    // HEAD (which Fastify adds to every GET) must not hold a tail open for no body.
    if (reply.request.method === 'HEAD') {
      void reply.header('content-type', 'text/event-stream; charset=utf-8').send();
      return;
    }
    // Headers set by hooks (CORS, request id) live on the reply; a hijacked one drops them.
    const headers = reply.getHeaders() as OutgoingHttpHeaders;
    reply.hijack();
    void this.tail.stream(id, after, reply.raw, headers);
  }
}
