import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { ApiKeyRing } from '../src/auth/api-keys';
import { bodyHash, IdempotencyStore, PENDING_TTL_SEC } from '../src/jobs/idempotency.store';
import { ADMIN_KEY, auth, SPEC, startApi, USER_KEY, type TestApi } from './api-harness';

jest.setTimeout(30_000);

describe('Idempotency-Key on POST /v1/jobs (real Redis and SQS)', () => {
  let sqs: SqsServer;
  let api: TestApi;

  beforeAll(async () => {
    sqs = await startSqsServer();
    api = await startApi(sqs);
  });
  afterAll(async () => {
    await api?.close();
    await sqs?.stop();
  });

  const post = (key: string | undefined, payload: object, apiKey?: string) =>
    api.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(apiKey), ...(key === undefined ? {} : { 'idempotency-key': key }) },
      payload,
    });
  const jobCount = async () => {
    await api.es.admin.waitForCatchUp();
    return api.es.readModels.count('job-view', 'all');
  };

  it('same key + same body → the same 201 response, one job, one SQS message', async () => {
    await api.drainQueue(0);
    const before = await jobCount();
    const first = await post('k-1', SPEC);
    // Key order does not make it a different body.
    const reordered = {
      audio: SPEC.audio,
      video: SPEC.video,
      output: SPEC.output,
      input: SPEC.input,
      name: SPEC.name,
    };
    const second = await post('k-1', reordered);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.headers.location).toBe(first.headers.location);
    expect(await jobCount()).toBe(before + 1);
    expect(await api.drainQueue()).toEqual([JSON.stringify({ jobId: first.json().id })]);
  });

  it('same key + another body → 422 problem, no job', async () => {
    await post('k-2', SPEC);
    const before = await jobCount();
    const res = await post('k-2', { ...SPEC, name: 'other' });
    expect(res.statusCode).toBe(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await jobCount()).toBe(before);
  });

  it('concurrent duplicates create exactly one job', async () => {
    await api.drainQueue(0);
    const before = await jobCount();
    const responses = await Promise.all(Array.from({ length: 8 }, () => post('k-3', SPEC)));
    expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    expect(new Set(responses.map((r) => r.body)).size).toBe(1);
    expect(await jobCount()).toBe(before + 1);
    expect(await api.drainQueue()).toHaveLength(1);
  });

  it('keys are scoped per API key; without a key every POST creates a job', async () => {
    const mine = await post('k-4', SPEC);
    const theirs = await post('k-4', SPEC, ADMIN_KEY);
    expect(theirs.json().id).not.toBe(mine.json().id);
    const a = await post(undefined, SPEC);
    const b = await post(undefined, SPEC);
    expect(a.json().id).not.toBe(b.json().id);
  });

  it('an invalid body is a 400 every time and does not burn the key', async () => {
    const bad = await post('k-5', { name: 'x' });
    expect(bad.statusCode).toBe(400);
    expect((await post('k-5', { name: 'x' })).body).toBe(bad.body);
    expect((await post('k-5', SPEC)).statusCode).toBe(201);
  });

  it('400 for a malformed Idempotency-Key', async () => {
    const res = await post('x'.repeat(256), SPEC);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].path).toBe('Idempotency-Key');
  });

  it('409 with Retry-After while the original request has not appended yet', async () => {
    // The state a crash between the reservation and the append leaves behind.
    const caller = new ApiKeyRing([{ key: USER_KEY, scope: 'user' }]).authenticate(
      `Bearer ${USER_KEY}`,
    )!;
    await new IdempotencyStore(api.es.redis, api.prefix).claim(
      caller.keyId,
      'k-6',
      bodyHash(SPEC),
      '01JZZZZZZZZZZZZZZZZZZZZZZZ',
    );
    const res = await post('k-6', SPEC);
    expect(res.statusCode).toBe(409);
    expect(res.headers['retry-after']).toBe('1');
    expect(res.json()).toMatchObject({ status: 409, code: 'IDEMPOTENCY_KEY_IN_PROGRESS' });
    // …but only for a while: an abandoned claim lapses, then the same key creates the job.
    const claim = new IdempotencyStore(api.es.redis, api.prefix).key(caller.keyId, 'k-6');
    const ttl = await api.es.redis.ttl(claim);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(PENDING_TTL_SEC);
    await api.es.redis.del(claim); // the lapse, without waiting for it
    const retried = await post('k-6', SPEC);
    expect(retried.statusCode).toBe(201);
  });

  it('a created job keeps its key for a day', async () => {
    expect((await post('k-7', SPEC)).statusCode).toBe(201);
    const caller = new ApiKeyRing([{ key: USER_KEY, scope: 'user' }]).authenticate(
      `Bearer ${USER_KEY}`,
    )!;
    expect(
      await api.es.redis.ttl(
        new IdempotencyStore(api.es.redis, api.prefix).key(caller.keyId, 'k-7'),
      ),
    ).toBeGreaterThan(23 * 3600);
  });
});
