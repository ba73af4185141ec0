import { mkdir } from 'node:fs/promises';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { Redis } from 'ioredis';
import { reapOrphans } from '@ezlive/ffmpeg';
import {
  createLogger,
  createRedis,
  EVENT_SOURCING,
  EventSourcing,
  JobSecretsStore,
  JobStatsStore,
  REDIS,
  WorkerRegistry,
} from '@ezlive/infra';
import { Membership } from './membership/membership';
import { WorkProcessor } from './queue/work.processor';
import { JobReporter } from './runtime/job-reporter';
import { JobRuntime } from './runtime/job-runtime';
import { WORKER_CONFIG } from './worker.tokens';
import type { WorkerConfig } from './worker.config';

/**
 * The worker's lifecycle. Start: reap FFmpeg orphans of a previous crash, open the RTMP
 * port, register, take work. SIGTERM: stop taking work, drain, stop every FFmpeg cleanly,
 * deregister (the scheduler moves the jobs), close connections.
 */
@Injectable()
export class WorkerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger;
  private readonly runtime: JobRuntime;
  private readonly reporter: JobReporter;
  private membership?: Membership;
  private processor?: WorkProcessor;
  private bullConnection?: Redis;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.logger = createLogger('worker', config.logLevel).child({ workerId: config.workerId });
    const log = (level: 'info' | 'warn' | 'error', msg: string, extra: object = {}) =>
      this.logger[level](extra, msg);
    this.reporter = new JobReporter(es.store, config.workerId);
    this.runtime = new JobRuntime(
      { ...config, statsIntervalMs: config.statsIntervalMs, log },
      this.reporter,
      new JobSecretsStore(redis, es.keys),
      new JobStatsStore(redis, es.keys),
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    await mkdir(c.runDir, { recursive: true });
    const reaped = await reapOrphans(c.runDir);
    if (reaped.killed.length > 0)
      this.logger.warn({ reaped }, 'killed FFmpeg processes left by a previous crash');
    const rtmpPort = await this.runtime.start();
    const log = (level: 'info' | 'warn' | 'error', msg: string, extra: object = {}) =>
      this.logger[level](extra, msg);
    this.membership = new Membership(
      new WorkerRegistry(this.redis, this.es.store, c.keyPrefix),
      this.runtime,
      {
        workerId: c.workerId,
        info: {
          host: c.publicHost,
          rtmpPort,
          srtPortRange: c.srtPortRange,
          cpuCores: c.cpuCores,
          capacity: c.capacity,
          version: c.version,
          labels: c.labels,
        },
        intervalMs: c.heartbeatIntervalMs,
        load: () => this.runtime.load(),
        currentAssignment: async (jobId) => {
          const s = await this.reporter.load(jobId);
          return s.status === 'initial'
            ? null
            : { attempt: s.attempt, workerId: 'workerId' in s ? s.workerId : null };
        },
        log,
      },
    );
    await this.membership.start();
    this.bullConnection = createRedis(c.redisUrl, {
      maxRetriesPerRequest: null,
      connectionName: `ezlive-worker-${c.workerId}-bull`,
    });
    this.processor = new WorkProcessor(
      this.bullConnection,
      c.keyPrefix,
      c.workerId,
      {
        'job.start': async (p) => this.runtime.startJob(p.jobId, p.attempt),
        'job.stop': async (p) => this.runtime.stopJob(p.jobId, p.attempt, p.reason),
        'job.cleanup': async (p) => this.runtime.cleanupJob(p.jobId, p.destination),
      },
      (err, job) =>
        this.logger.error(
          {
            err: err.message,
            job: job?.name,
            jobId: (job?.data as { jobId?: string } | undefined)?.jobId,
          },
          'work failed',
        ),
    );
    this.processor.start();
    this.logger.info({ rtmpPort, capacity: c.capacity }, 'worker ready');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.processor?.close();
    await this.membership?.drain('shutdown');
    await this.runtime.close();
    await this.membership
      ?.leave('shutdown')
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'deregister failed'));
    await this.bullConnection?.quit().catch(() => this.bullConnection?.disconnect());
  }
}
