import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { JOB_STATUSES } from '@ezlive/domain';
import { EVENT_SOURCING, EventSourcing, SqsIntake } from '@ezlive/infra';
import { SQS_INTAKE } from '../api.tokens';
import { IntakeOutbox } from '../intake/intake-outbox';

/** A scrape must answer even when SQS is slow: its gauge is skipped after this. */
const SQS_SCRAPE_TIMEOUT_MS = 2_000;

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> =>
  Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);

/**
 * Prometheus metrics of one API process, on a registry of its own (several apps in one
 * test process must not share the global one). Gauges read Redis/SQS at scrape time.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor(
    @Inject(EVENT_SOURCING) private readonly es: EventSourcing,
    @Inject(SQS_INTAKE) sqs: SqsIntake,
    outbox: IntakeOutbox,
  ) {
    collectDefaultMetrics({ register: this.registry, prefix: 'ezlive_api_' });
    this.httpDuration = new Histogram({
      name: 'ezlive_api_http_request_duration_seconds',
      help: 'HTTP requests by route template, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
    const readModels = this.es.readModels;
    new Gauge({
      name: 'ezlive_jobs',
      help: 'Jobs by state (job-view projection)',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const states = JOB_STATUSES.filter((s) => s !== 'deleted');
        const counts = await Promise.all(
          states.map((s) => readModels.count('job-view', `state:${s}`)),
        );
        states.forEach((s, i) => this.set({ state: s }, counts[i]));
      },
    });
    new Gauge({
      name: 'ezlive_intake_queue_depth',
      help: 'Messages in the SQS intake queue (visible + in flight); absent when SQS is unreachable',
      labelNames: ['queue'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const [main, dlq] = await Promise.allSettled([
          withTimeout(sqs.depth('main'), SQS_SCRAPE_TIMEOUT_MS),
          withTimeout(sqs.depth('dlq'), SQS_SCRAPE_TIMEOUT_MS),
        ]);
        if (main.status === 'fulfilled') this.set({ queue: 'main' }, main.value);
        if (dlq.status === 'fulfilled') this.set({ queue: 'dlq' }, dlq.value);
      },
    });
    new Gauge({
      name: 'ezlive_intake_unsent',
      help: 'Created or resumed jobs whose SQS send is not confirmed yet (reconciler backlog)',
      registers: [this.registry],
      async collect() {
        this.set(await outbox.pendingCount());
      },
    });
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }
}
