import { jobStreamId } from '@ezlive/domain';
import { freePort } from '../../../test/support/ports';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { IntakeOutbox } from '../src/intake/intake-outbox';
import { auth, drive, SPEC, startApi, type TestApi } from './api-harness';

jest.setTimeout(60_000);

describe('intake reconciler: a created job is never stranded (real Redis, real fauxqs)', () => {
  let sqs: SqsServer | undefined;
  let api: TestApi;
  let port: number;

  beforeAll(async () => {
    // The API boots against an SQS endpoint where nothing listens yet.
    port = await freePort();
    api = await startApi({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1' });
  });
  afterAll(async () => {
    await api?.close();
    await sqs?.stop();
  });

  const create = () =>
    api.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: SPEC });

  it('the first send fails, the job is still accepted, the sweep delivers exactly one message', async () => {
    const outbox = api.app.get(IntakeOutbox);
    const res = await create();
    expect(res.statusCode).toBe(201);
    const { id } = res.json();
    expect(await outbox.pendingCount()).toBe(1);
    const stopped = await create();
    await api.app.inject({
      method: 'POST',
      url: `/v1/jobs/${stopped.json().id}/stop`,
      headers: auth(),
    });

    // SQS comes back on the configured endpoint.
    sqs = await startSqsServer(port);
    expect(await outbox.sweep(0)).toEqual({ sent: 1, dropped: 1, failed: 0 });
    expect(await outbox.pendingCount()).toBe(0);
    // A second sweep has nothing left to do.
    expect(await outbox.sweep(0)).toEqual({ sent: 0, dropped: 0, failed: 0 });
    expect(await api.drainQueue(1)).toEqual([JSON.stringify({ jobId: id })]);
  });

  it('only entries older than the resend delay are swept; a queued job is not re-sent', async () => {
    const outbox = api.app.get(IntakeOutbox);
    await outbox.reserve('01JZZZZZZZZZZZZZZZZZZZZZZZ'); // crashed before its append: no stream
    const res = await create(); // sent at once, entry released
    expect(await outbox.pendingCount()).toBe(1);
    await api.drainQueue(1);
    // An entry left behind by a crash after the send: the scheduler has queued the job.
    await outbox.reserve(res.json().id);
    await drive(api, res.json().id, { type: 'QueueJob', data: { cost: 1 } });
    expect(await outbox.sweep(60_000)).toEqual({ sent: 0, dropped: 0, failed: 0 });
    expect(await outbox.sweep(0)).toEqual({ sent: 0, dropped: 2, failed: 0 });
    expect(await api.es.store.readStream(jobStreamId('01JZZZZZZZZZZZZZZZZZZZZZZZ'))).toEqual([]);
    expect(await api.drainQueue(1)).toEqual([]);
  });

  it('one sweeper at a time across replicas', async () => {
    const outbox = api.app.get(IntakeOutbox);
    await api.es.redis.set(`${api.prefix}:intake:sweep-lock`, 'other-replica', 'PX', 10_000);
    expect(await outbox.sweep(0)).toBeNull();
    await api.es.redis.del(`${api.prefix}:intake:sweep-lock`);
  });
});

describe('intake reconciler timer (real Redis, real fauxqs)', () => {
  let sqs: SqsServer | undefined;
  let api: TestApi;

  afterAll(async () => {
    await api?.close();
    await sqs?.stop();
  });

  it('re-sends by itself once SQS is reachable', async () => {
    const port = await freePort();
    api = await startApi(
      { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1' },
      { INTAKE_SWEEP_INTERVAL_MS: '100', INTAKE_RESEND_AFTER_MS: '0' },
    );
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(),
      payload: SPEC,
    });
    expect(res.statusCode).toBe(201);
    sqs = await startSqsServer(port);
    const outbox = api.app.get(IntakeOutbox);
    while ((await outbox.pendingCount()) > 0) await new Promise((r) => setTimeout(r, 50));
    expect(await api.drainQueue(1)).toEqual([JSON.stringify({ jobId: res.json().id })]);
  });
});
