import { spawn, type ChildProcess } from 'node:child_process';
import { createRedis } from '@ezlive/infra';
import { freePort } from '../../../test/support/ports';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { auth, SPEC, startApi, type TestApi } from './api-harness';

jest.setTimeout(60_000);

/** A private redis-server, so this test can take it away without touching anyone else's. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const probe = createRedis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1 });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await probe.ping();
        return child;
      } catch (err) {
        if (attempt > 100 || child.exitCode !== null)
          throw new Error(`redis-server on ${port} did not start`, { cause: err });
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    probe.disconnect();
  }
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('Redis unavailable → 503 problem with Retry-After, never 500', () => {
  let sqs: SqsServer;
  let redis: ChildProcess;
  let port: number;
  let api: TestApi;

  beforeAll(async () => {
    sqs = await startSqsServer();
    port = await freePort();
    redis = await startRedis(port);
    api = await startApi(sqs, { REDIS_URL: `redis://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await api?.close();
    await stop(redis);
    await sqs?.stop();
  });

  it('answers 503 while Redis is down and recovers when it is back', async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: auth(),
      payload: SPEC,
    });
    expect(created.statusCode).toBe(201);
    await stop(redis);

    for (const [method, url] of [
      ['GET', '/v1/jobs'],
      ['GET', `/v1/jobs/${created.json().id}`],
      ['POST', '/v1/jobs'],
      ['POST', `/v1/jobs/${created.json().id}/stop`],
    ] as const) {
      const res = await api.app.inject({
        method,
        url,
        headers: auth(),
        ...(method === 'POST' ? { payload: SPEC } : {}),
      });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 503 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({ status: 503, code: 'REDIS_UNAVAILABLE' });
    }
    const ready = await api.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'unavailable', redis: 'down', sqs: 'up' });
    expect((await api.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);

    redis = await startRedis(port);
    // ioredis reconnects with a backoff of at most 2 s.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await api.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth() }))
        .statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
  });
});

describe('SQS unavailable', () => {
  it('/health/ready is 503 naming SQS, while jobs are still accepted', async () => {
    const sqs = await startSqsServer();
    const api = await startApi(sqs);
    try {
      expect((await api.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
      await sqs.stop();
      const ready = await api.app.inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({ status: 'unavailable', app: 'api', redis: 'up', sqs: 'down' });
      const res = await api.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: auth(),
        payload: SPEC,
      });
      expect(res.statusCode).toBe(201);
    } finally {
      await api.close();
    }
  });
});
