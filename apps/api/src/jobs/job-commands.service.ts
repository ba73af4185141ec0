import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import {
  foldDocument,
  handleCommand,
  jobDecider,
  jobStreamId,
  jobViewProjection,
  type JobCommand,
  type JobView,
} from '@ezlive/domain';
import {
  commandContext,
  EVENT_SOURCING,
  EventSourcing,
  fingerprint,
  JobSecretsStore,
  JobStatsStore,
  mintJobSecrets,
  newId,
} from '@ezlive/infra';
import type { ApiConfig } from '../api.config';
import { API_CONFIG, LOGGER } from '../api.tokens';
import { IntakeOutbox } from '../intake/intake-outbox';
import { ApiError } from '../problem/api-error';
import { assertJobId as guard } from './job-id';
import { validateSpec } from './spec-validation';

export interface RequestContext {
  requestId: string;
}

export interface CommandResult {
  id: string;
  state: string;
  version: number;
}

/**
 * The write side: each method turns a request into one domain command through the
 * decider and the event store, then performs the side effects the events call for.
 */
@Injectable()
export class JobCommandsService {
  constructor(
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    private readonly secrets: JobSecretsStore,
    private readonly stats: JobStatsStore,
    private readonly outbox: IntakeOutbox,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  private run(jobId: string, command: JobCommand, ctx: RequestContext) {
    return handleCommand(
      this.es.store,
      jobStreamId(jobId),
      jobDecider,
      command,
      commandContext('api', { correlationId: ctx.requestId }),
      { metadata: { jobId } },
    );
  }

  /**
   * Validates, mints secrets, appends `JobCreated`, sends the intake message.
   * `jobId` may be pre-minted (idempotent requests reserve it first).
   */
  async create(body: unknown, ctx: RequestContext, jobId = newId()): Promise<JobView> {
    const validation = validateSpec(body);
    if (!validation.ok) {
      throw new ApiError('INVALID_JOB_SPEC', describe(validation.errors.length), {
        errors: validation.errors,
        warnings: validation.warnings,
      });
    }
    const secrets = mintJobSecrets();
    await this.secrets.put(jobId, secrets);
    // Recorded before the append: a crash after it leaves a trace the reconciler re-sends.
    await this.outbox.reserve(jobId);
    const result = await this.run(
      jobId,
      {
        type: 'CreateJob',
        data: {
          jobId,
          spec: validation.spec,
          warnings: validation.warnings,
          streamKeyFingerprint: fingerprint(secrets.streamKey),
        },
      },
      ctx,
    );
    await this.outbox.send(jobId);
    this.logger.info({ reqId: ctx.requestId, jobId }, 'job created');
    return foldDocument(jobViewProjection, result.events)!;
  }

  async stop(jobId: string, ctx: RequestContext): Promise<CommandResult> {
    const r = await this.run(
      guard(jobId),
      { type: 'RequestStop', data: { reason: 'requested through the API' } },
      ctx,
    );
    return { id: jobId, state: statusOf(r.state), version: r.version };
  }

  async resume(jobId: string, ctx: RequestContext): Promise<CommandResult> {
    await this.outbox.reserve(guard(jobId));
    let r;
    try {
      r = await this.run(jobId, { type: 'RequestResume', data: {} }, ctx);
    } catch (err) {
      // The entry is only needed for a resume that was appended; a refused one must not
      // linger (the sweep would drop it anyway, since the job is not waiting).
      await this.outbox.release(jobId).catch(() => undefined);
      throw err;
    }
    await this.outbox.send(jobId);
    return { id: jobId, state: statusOf(r.state), version: r.version };
  }

  /** Appends `JobDeleted`, then erases keys, stats and local output. */
  async delete(jobId: string, ctx: RequestContext): Promise<void> {
    const r = await this.run(guard(jobId), { type: 'DeleteJob', data: {} }, ctx);
    await Promise.all([
      this.secrets.delete(jobId),
      this.stats.delete(jobId),
      this.outbox.release(jobId),
    ]);
    if (r.state.status !== 'initial' && r.state.spec.output.destination.type === 'local') {
      // jobId is a validated ULID, so this path cannot leave MEDIA_DIR.
      await rm(join(this.config.mediaDir, jobId), { recursive: true, force: true }).catch(
        (err: Error) => this.logger.warn({ jobId, err: err.message }, 'output cleanup failed'),
      );
    }
    this.logger.info({ reqId: ctx.requestId, jobId }, 'job deleted');
  }
}

const statusOf = (s: { status: string }) => s.status;

const describe = (n: number) => `the job spec has ${n} error${n === 1 ? '' : 's'}`;
