import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import {
  foldDocument,
  JOB_STATUSES,
  jobStreamId,
  jobNotFound,
  jobViewProjection,
  type JobStatus,
  type JobView,
} from '@ezlive/domain';
import {
  EVENT_SOURCING,
  EventSourcing,
  JobSecretsStore,
  JobStatsStore,
  REDIS,
  type JobSecrets,
} from '@ezlive/infra';
import { invalidRequest } from '../problem/api-error';
import type { JobDto, JobPageDto } from './dto/job.dto';
import type { JobStatsSeriesDto } from './dto/job-stats.dto';
import { GenerationCache } from './generation-cache';
import { assertJobId, isJobId } from './job-id';
import { JobPresenter } from './job-presenter';

export interface ListQuery {
  state?: JobStatus;
  limit: number;
  cursor?: string;
}

const LISTABLE = JOB_STATUSES.filter((s) => s !== 'deleted');

/** Validates `?state=&limit=&cursor=`; each bad parameter is a 400 naming it. */
export function parseListQuery(q: Record<string, unknown>): ListQuery {
  const one = (name: string): string | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw invalidRequest(name, 'INVALID_TYPE', 'give it once');
    return v;
  };
  const state = one('state');
  if (state !== undefined && !(LISTABLE as readonly string[]).includes(state))
    throw invalidRequest('state', 'NOT_ALLOWED', `one of ${LISTABLE.join(', ')}`);
  const rawLimit = one('limit');
  const limit = rawLimit === undefined ? 20 : Number(rawLimit);
  if (!/^\d{1,3}$/.test(rawLimit ?? '20') || limit < 1 || limit > 100)
    throw invalidRequest('limit', 'OUT_OF_RANGE', 'an integer from 1 to 100');
  const cursor = one('cursor');
  if (cursor !== undefined && !isJobId(cursor))
    throw invalidRequest('cursor', 'INVALID_FORMAT', 'pass back a nextCursor value');
  return { state: state as JobStatus | undefined, limit, cursor };
}

/** The read side: projections (plus the secrets and stats stores). */
@Injectable()
export class JobQueriesService {
  constructor(
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly secrets: JobSecretsStore,
    private readonly stats: JobStatsStore,
    private readonly presenter: JobPresenter,
  ) {
    this.generation = new GenerationCache(es.readModels);
  }

  private readonly generation: GenerationCache;

  /**
   * The projection lags the append by a few milliseconds; on a miss the job's own stream
   * is folded, so a client that just created a job can read it back at once.
   */
  async view(jobId: string): Promise<JobView> {
    assertJobId(jobId);
    return (await this.projected(jobId)) ?? this.folded(jobId);
  }

  private async projected(jobId: string): Promise<JobView | null> {
    const generation = await this.generation.current();
    const raw = await this.redis.hget(this.es.keys.doc(generation, 'job-view', jobId), 'd');
    return raw ? (JSON.parse(raw) as JobView) : null;
  }

  private async folded(jobId: string): Promise<JobView> {
    const history = await this.es.store.readStream(jobStreamId(jobId));
    const folded = foldDocument(jobViewProjection, history);
    if (!folded) throw jobNotFound();
    return folded;
  }

  /** The hot path: document, secrets and stats in one pipelined round trip. */
  async get(jobId: string): Promise<JobDto> {
    assertJobId(jobId);
    const [projected, secrets, latest] = await Promise.all([
      this.projected(jobId),
      this.secrets.get(jobId),
      this.stats.latest(jobId),
    ]);
    const view = projected ?? (await this.folded(jobId));
    return this.presenter.present(view, { reveal: true, secrets }, latest);
  }

  async list(q: ListQuery): Promise<JobPageDto> {
    const page = await this.es.readModels.page<JobView>(
      'job-view',
      q.state ? `state:${q.state}` : 'all',
      q.limit,
      q.cursor,
    );
    const secrets = await this.secretsOf(page.items.map((v) => v.jobId));
    return {
      items: page.items.map((v, i) =>
        this.presenter.present(v, { reveal: false, secrets: secrets[i] }),
      ),
      nextCursor: page.nextCursor,
    };
  }

  async statsOf(jobId: string): Promise<JobStatsSeriesDto> {
    await this.view(jobId);
    const [latest, series] = await Promise.all([
      this.stats.latest(jobId),
      this.stats.series(jobId),
    ]);
    return { id: jobId, latest, series };
  }

  /** One round trip for a page; only the stream key is read (it is masked anyway). */
  private async secretsOf(jobIds: string[]): Promise<Array<JobSecrets | null>> {
    if (jobIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of jobIds) pipeline.hget(this.es.keys.secrets(id), 'streamKey');
    const rows = (await pipeline.exec()) ?? [];
    return rows.map(([err, key]) =>
      err || typeof key !== 'string' ? null : { streamKey: key, srtPassphrase: '' },
    );
  }
}
