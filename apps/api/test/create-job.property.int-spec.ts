import fc from 'fast-check';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { auth, SPEC, startApi, type TestApi } from './api-harness';

jest.setTimeout(120_000);

type Issue = { path: unknown; code: unknown; message: unknown };

/**
 * Whole-body problems are the only ones allowed an empty path, plus an unknown field
 * whose name *is* the empty string (`{"": 1}`).
 */
const EMPTY_PATH_CODES = new Set(['INVALID_BODY', 'TOO_DEEP', 'UNKNOWN_FIELD']);

const PATHS: Array<Array<string | number>> = [
  [],
  ['name'],
  ['input'],
  ['input', 'protocol'],
  ['input', 'reconnectWindowSec'],
  ['output'],
  ['output', 'formats'],
  ['output', 'segmentFormat'],
  ['output', 'destination'],
  ['output', 'destination', 'type'],
  ['video'],
  ['video', 0],
  ['video', 0, 'width'],
  ['video', 0, 'codec'],
  ['video', 1, 'bitrateKbps'],
  ['video', 1, 'preset'],
  ['audio', 0, 'sampleRateHz'],
  ['audio', 0, 'channels'],
  ['__proto__'],
  ['constructor', 'prototype'],
];

/** SPEC with one value somewhere replaced (or added) by an arbitrary JSON value. */
const mutatedSpec = fc
  .tuple(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 4 }), fc.string({ maxLength: 12 }))
  .map(([path, value, extraKey]) => {
    const body = JSON.parse(JSON.stringify(SPEC)) as Record<string, unknown>;
    if (path.length === 0) return { ...body, [extraKey || 'x']: value };
    let node: Record<string | number, unknown> = body;
    for (const key of path.slice(0, -1)) {
      if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
      node = node[key] as Record<string | number, unknown>;
    }
    node[path[path.length - 1]] = value;
    return body;
  });

const deepNesting = fc.integer({ min: 5, max: 400 }).map((depth) => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return { ...SPEC, name: v };
});

describe('POST /v1/jobs under random and malformed bodies (fast-check, real Redis and SQS)', () => {
  let sqs: SqsServer;
  let api: TestApi;
  let sent = 0;

  beforeAll(async () => {
    sqs = await startSqsServer();
    api = await startApi(sqs, { RATE_LIMIT_PER_MIN: '0' });
  });
  afterAll(async () => {
    await api?.close();
    await sqs?.stop();
  });

  async function check(payload: string, contentType = 'application/json'): Promise<void> {
    sent++;
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(), 'content-type': contentType },
      payload,
    });
    expect([201, 400, 413, 415]).toContain(res.statusCode);
    if (res.statusCode === 201) {
      expect(res.json().id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      return;
    }
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = res.json();
    expect(problem.status).toBe(res.statusCode);
    expect(typeof problem.code).toBe('string');
    if (res.statusCode !== 400) return;
    expect(problem.errors.length).toBeGreaterThan(0);
    for (const e of problem.errors as Issue[]) {
      expect(typeof e.path).toBe('string');
      expect(typeof e.code).toBe('string');
      expect(typeof e.message).toBe('string');
      if (e.path === '') expect(EMPTY_PATH_CODES).toContain(e.code);
    }
  }

  it('never answers 5xx, never crashes, and every rejection names the field', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedSpec, (body) => check(JSON.stringify(body))),
      { numRuns: 1000 },
    );
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), (body) => check(JSON.stringify(body))),
      { numRuns: 3000 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200, unit: 'binary' }), (raw) => check(raw)),
      { numRuns: 600 },
    );
    await fc.assert(
      fc.asyncProperty(deepNesting, (body) => check(JSON.stringify(body))),
      {
        numRuns: 200,
      },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
        ),
        fc.string({ maxLength: 50 }),
        (type, raw) => check(raw, type),
      ),
      { numRuns: 200 },
    );
    expect(sent).toBeGreaterThanOrEqual(5000);
    const live = await api.app.inject({ method: 'GET', url: '/health/live' });
    expect(live.statusCode).toBe(200);
  });
});
