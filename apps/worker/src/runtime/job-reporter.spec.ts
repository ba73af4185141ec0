import type {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedVersion,
  RecordedEvent,
} from '@ezlive/domain';
import { assigned, created, INGEST, queued } from '@ezlive/domain/job/job.fixtures';
import { JobReporter } from './job-reporter';

/**
 * An in-memory stream whose next `failures` calls throw like a Redis connection does (pure
 * logic: the retry loop; the Redis adapter has its own int tests). `loseReplies` makes an
 * append land but throw anyway, as when the connection drops before the reply.
 */
class FlakyStore implements EventStore {
  readonly events: RecordedEvent[] = [];
  failures = 0;
  loseReplies = 0;

  constructor(history: Array<{ type: string; data: object }>) {
    history.forEach((e) => this.push(e));
  }

  private push(e: { type: string; data: object }): void {
    const version = this.events.length + 1;
    this.events.push({
      ...e,
      metadata: {
        eventId: `e${version}`,
        streamId: 'job-j1',
        version,
        at: new Date(0).toISOString(),
        actor: 'api',
        correlationId: 'c',
        causationId: null,
      },
    } as RecordedEvent);
  }

  private fail(): void {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('Connection is closed.');
    }
  }

  async readStream(): Promise<RecordedEvent[]> {
    this.fail();
    return [...this.events];
  }

  async appendToStream(
    _id: string,
    events: EventToAppend[],
    _expected: ExpectedVersion,
  ): Promise<AppendResult> {
    this.fail();
    events.forEach((e) => this.push(e));
    if (this.loseReplies > 0) {
      this.loseReplies--;
      throw new Error('Connection is closed.');
    }
    return { nextVersion: this.events.length };
  }
}

const running = {
  type: 'ReportRunning' as const,
  data: { workerId: 'w1', attempt: 1, ingest: INGEST },
};

describe('JobReporter', () => {
  it('outlasts a store outage: the report lands once the store answers again', async () => {
    const store = new FlakyStore([created, queued, assigned(1, 'w1')]);
    store.failures = 3;
    const reporter = new JobReporter(store, 'w1', [1, 1, 1, 1]);
    await expect(reporter.report('j1', running)).resolves.toBe('appended');
    expect(store.events.map((e) => e.type).slice(-1)).toEqual(['JobRunning']);
  });

  it('a report whose reply was lost is not appended twice on the retry', async () => {
    const store = new FlakyStore([created, queued, assigned(1, 'w1')]);
    store.loseReplies = 1;
    const reporter = new JobReporter(store, 'w1', [1]);
    await expect(reporter.report('j1', running)).resolves.toBe('unchanged');
    expect(store.events.filter((e) => e.type === 'JobRunning')).toHaveLength(1);
  });

  it('gives up after its tries, with the store error', async () => {
    const store = new FlakyStore([created, queued, assigned(1, 'w1')]);
    store.failures = 10;
    const reporter = new JobReporter(store, 'w1', [1, 1]);
    await expect(reporter.report('j1', running)).rejects.toThrow('Connection is closed.');
    expect(store.failures).toBe(7); // three tries, no more
  });

  it('does not retry a decision: a fenced report is answered at once', async () => {
    const store = new FlakyStore([created, queued, assigned(2, 'w2')]);
    const reporter = new JobReporter(store, 'w1', [60_000]); // a retry would time the test out
    await expect(reporter.report('j1', running)).resolves.toBe('fenced');
  });
});
