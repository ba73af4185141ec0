import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { foldDocument, jobStreamId, jobViewProjection, type JobView } from '@ezlive/domain';
import { EVENT_SOURCING, EventSourcing, newId } from '@ezlive/infra';
import type { Caller } from '../auth/api-keys';
import { ApiError, invalidRequest } from '../problem/api-error';
import { bodyHash, IdempotencyStore } from './idempotency.store';
import { validateSpec } from './spec-validation';
import { JobCommandsService, type RequestContext } from './job-commands.service';

/** How long a duplicate waits for the original request to append before answering 409. */
const REPLAY_WAIT_MS = 5_000;

/** `POST /v1/jobs` with optional `Idempotency-Key` semantics. */
@Injectable()
export class CreateJobService {
  constructor(
    private readonly commands: JobCommandsService,
    private readonly idempotency: IdempotencyStore,
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
  ) {}

  async create(
    body: unknown,
    ctx: RequestContext,
    caller: Caller,
    idempotencyKey: string | undefined,
  ): Promise<{ view: JobView; replayed: boolean }> {
    if (idempotencyKey === undefined)
      return { view: await this.commands.create(body, ctx), replayed: false };
    if (!/^[\x21-\x7e]{1,255}$/.test(idempotencyKey))
      throw invalidRequest('Idempotency-Key', 'INVALID_FORMAT', '1–255 printable ASCII characters');
    // An invalid body is rejected identically every time; nothing to remember.
    if (!validateSpec(body).ok)
      return { view: await this.commands.create(body, ctx), replayed: false };

    const hash = bodyHash(body);
    const jobId = newId();
    const claim = await this.idempotency.claim(caller.keyId, idempotencyKey, hash, jobId);
    if (claim.claimed) {
      let view: JobView;
      try {
        view = await this.commands.create(body, ctx, jobId);
      } catch (err) {
        await this.idempotency.release(caller.keyId, idempotencyKey).catch(() => undefined);
        throw err;
      }
      await this.idempotency.settle(caller.keyId, idempotencyKey);
      return { view, replayed: false };
    }
    if (claim.bodyHash !== hash) {
      throw new ApiError(
        'IDEMPOTENCY_KEY_REUSED',
        'this Idempotency-Key was used with a different body',
      );
    }
    return { view: await this.creationOf(claim.jobId), replayed: true };
  }

  /** The job as the original request returned it: the fold of its first event. */
  private async creationOf(jobId: string): Promise<JobView> {
    const deadline = Date.now() + REPLAY_WAIT_MS;
    for (;;) {
      const [created] = await this.es.store.readStream(jobStreamId(jobId), { toVersion: 1 });
      if (created) return foldDocument(jobViewProjection, [created])!;
      if (Date.now() > deadline)
        throw new ApiError('IDEMPOTENCY_KEY_IN_PROGRESS', 'the original request has not finished', {
          retryAfterSec: 1,
        });
      await sleep(25);
    }
  }
}
