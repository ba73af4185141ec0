import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { JOB_STATUSES } from '@ezlive/domain';
import { JobSecretsStore } from '@ezlive/infra';
import type { Caller } from '../auth/api-keys';
import { CurrentCaller, RequestId } from '../auth/caller.decorator';
import { ApiV1 } from '../problem/api-problems.decorator';
import { CommandAcceptedDto, JobDto, JobPageDto } from './dto/job.dto';
import { JOB_SPEC_EXAMPLE, JobSpecDto } from './dto/job-spec.dto';
import { JobStatsSeriesDto } from './dto/job-stats.dto';
import { CreateJobService } from './create-job.service';
import { JobCommandsService } from './job-commands.service';
import { JobPresenter } from './job-presenter';
import { JobQueriesService, parseListQuery } from './job-queries.service';

/** Transport only: each route is one command or one query. */
@ApiTags('jobs')
@Controller('v1/jobs')
export class JobsController {
  constructor(
    private readonly creator: CreateJobService,
    private readonly commands: JobCommandsService,
    private readonly queries: JobQueriesService,
    private readonly presenter: JobPresenter,
    private readonly secrets: JobSecretsStore,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a live channel' })
  @ApiBody({ type: JobSpecDto, examples: { ladder: { value: JOB_SPEC_EXAMPLE } } })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key + same body → same response, one job; same key + other body → 422',
  })
  @ApiCreatedResponse({ type: JobDto, description: 'Created; `Location` names the job' })
  @ApiV1(400, 409, 413, 415, 422)
  async create(
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentCaller() caller: Caller,
    @RequestId() requestId: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobDto> {
    const { view, replayed } = await this.creator.create(
      body,
      { requestId },
      caller,
      idempotencyKey,
    );
    void reply.code(201).header('location', `/v1/jobs/${view.jobId}`);
    if (replayed) void reply.header('idempotent-replayed', 'true');
    const secrets = await this.secrets.get(view.jobId);
    return this.presenter.present(view, { reveal: true, secrets });
  }

  @Get()
  @ApiOperation({ summary: 'List jobs, newest first (stream keys masked)' })
  @ApiQuery({ name: 'state', required: false, enum: JOB_STATUSES.filter((s) => s !== 'deleted') })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
  })
  @ApiQuery({ name: 'cursor', required: false, description: '`nextCursor` of the previous page' })
  @ApiOkResponse({ type: JobPageDto })
  @ApiV1(400)
  list(@Query() query: Record<string, unknown>): Promise<JobPageDto> {
    return this.queries.list(parseListQuery(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'A job with its full stream key and latest stats' })
  @ApiOkResponse({ type: JobDto })
  @ApiV1(404)
  get(@Param('id') id: string): Promise<JobDto> {
    return this.queries.get(id);
  }

  @Get(':id/stats')
  @ApiOperation({ summary: 'Latest stats and the recent series (~5 min)' })
  @ApiOkResponse({ type: JobStatsSeriesDto })
  @ApiV1(404)
  stats(@Param('id') id: string): Promise<JobStatsSeriesDto> {
    return this.queries.statsOf(id);
  }

  @Post(':id/stop')
  @HttpCode(202)
  @ApiOperation({ summary: 'Request a stop (the worker confirms with JobStopped)' })
  @ApiAcceptedResponse({ type: CommandAcceptedDto })
  @ApiV1(404, 409)
  stop(@Param('id') id: string, @RequestId() requestId: string): Promise<CommandAcceptedDto> {
    return this.commands.stop(id, { requestId });
  }

  @Post(':id/resume')
  @HttpCode(202)
  @ApiOperation({ summary: 'Resume a stopped or failed job (same id, key and playback URLs)' })
  @ApiAcceptedResponse({ type: CommandAcceptedDto })
  @ApiV1(404, 409)
  resume(@Param('id') id: string, @RequestId() requestId: string): Promise<CommandAcceptedDto> {
    return this.commands.resume(id, { requestId });
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a stopped or failed job; erases its keys and local output' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiV1(404, 409)
  async delete(@Param('id') id: string, @RequestId() requestId: string): Promise<void> {
    await this.commands.delete(id, { requestId });
  }
}
