import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS } from '@ezlive/infra';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { auth, SPEC, startApi, type TestApi } from './api-harness';

jest.setTimeout(30_000);

describe('metrics and structured logs (real Redis and SQS)', () => {
  let sqs: SqsServer;
  let api: TestApi;
  const lines: Array<Record<string, unknown>> = [];
  let raw = '';

  beforeAll(async () => {
    sqs = await startSqsServer();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        raw += chunk.toString();
        for (const line of chunk.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(line));
        done();
      },
    });
    const logger = pino(
      { level: 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
      sink,
    );
    // Outbox sends fail until asked: SQS is up but the queue depth gauge reads it.
    api = await startApi(sqs, {}, logger);
  });
  afterAll(async () => {
    await api?.close();
    await sqs?.stop();
  });

  const metric = (text: string, name: string, labels: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  it('exposes request histograms by route template, jobs by state and the queue depth', async () => {
    await api.drainQueue(0);
    const a = await api.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(),
      payload: SPEC,
    });
    await api.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: SPEC });
    await api.app.inject({ method: 'POST', url: `/v1/jobs/${a.json().id}/stop`, headers: auth() });
    await api.app.inject({ method: 'GET', url: `/v1/jobs/${a.json().id}`, headers: auth() });
    await api.es.admin.waitForCatchUp();
    const res = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(
      metric(
        text,
        'ezlive_api_http_request_duration_seconds_count',
        'method="POST",route="/v1/jobs",status="201"',
      ),
    ).toBe(2);
    expect(
      metric(
        text,
        'ezlive_api_http_request_duration_seconds_count',
        'method="GET",route="/v1/jobs/:id",status="200"',
      ),
    ).toBe(1);
    expect(metric(text, 'ezlive_jobs', 'state="created"')).toBe(1);
    expect(metric(text, 'ezlive_jobs', 'state="stopped"')).toBe(1);
    expect(metric(text, 'ezlive_intake_queue_depth', 'queue="main"')).toBe(2);
    expect(metric(text, 'ezlive_intake_queue_depth', 'queue="dlq"')).toBe(0);
    expect(text).toMatch(/^ezlive_intake_unsent 0$/m);
  });

  it('logs one JSON line per request with its request id, never a stream key or API key', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(), 'x-request-id': 'log-test-1' },
      payload: SPEC,
    });
    const { id, streamKey } = res.json();
    await api.app.inject({
      method: 'GET',
      url: `/v1/jobs/${id}`,
      headers: { ...auth(), 'x-request-id': 'log-test-2' },
    });
    const request = lines.filter(
      (l) => l.msg === 'request' && String(l.reqId).startsWith('log-test-'),
    );
    expect(request).toEqual([
      expect.objectContaining({
        reqId: 'log-test-1',
        method: 'POST',
        route: '/v1/jobs',
        status: 201,
      }),
      expect.objectContaining({
        reqId: 'log-test-2',
        method: 'GET',
        route: '/v1/jobs/:id',
        status: 200,
      }),
    ]);
    expect(request[0].key).toMatch(/^[0-9a-f]{12}$/);
    expect(
      lines.some((l) => l.msg === 'job created' && l.jobId === id && l.reqId === 'log-test-1'),
    ).toBe(true);
    expect(raw).not.toContain(streamKey);
    expect(raw).not.toContain(auth().authorization.slice('Bearer '.length));
  });
});
