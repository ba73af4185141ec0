import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newId } from '@ezlive/infra';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { ADMIN_KEY, auth, SPEC, startApi, USER_KEY, type TestApi } from './api-harness';

jest.setTimeout(30_000);

type Method = 'GET' | 'POST' | 'DELETE';

describe('auth, rate limits, CORS, request ids, media (real Redis and SQS)', () => {
  let sqs: SqsServer;
  let api: TestApi;

  beforeAll(async () => {
    sqs = await startSqsServer();
    api = await startApi(sqs, { RATE_LIMIT_PER_MIN: '1000', CORS_ORIGINS: 'https://ui.example' });
  });
  afterAll(async () => {
    await api?.close();
    await sqs?.stop();
  });

  const v1Routes = () =>
    api.routes
      .filter((r) => r.url.startsWith('/v1/') && r.method !== 'HEAD')
      .map((r) => ({ method: r.method as Method, url: r.url.replace(':id', newId()) }));

  it('covers every /v1 route of the app', () => {
    expect(v1Routes().length).toBeGreaterThanOrEqual(12);
  });

  it.each([
    ['no header', {}],
    ['wrong key', { authorization: 'Bearer not-a-configured-key-123' }],
    ['not bearer', { authorization: `Basic ${USER_KEY}` }],
    ['key with suffix', { authorization: `Bearer ${USER_KEY}x` }],
  ])('401 problem+json on every /v1 route: %s', async (_label, headers) => {
    for (const route of v1Routes()) {
      const res = await api.app.inject({
        ...route,
        headers,
        payload: route.method === 'POST' ? SPEC : undefined,
      });
      expect({ route, status: res.statusCode }).toEqual({ route, status: 401 });
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    }
  });

  it('403 for a user key on /v1/admin, 200 for an admin key', async () => {
    const forbidden = await api.app.inject({
      method: 'POST',
      url: '/v1/admin/projections/rebuild',
      headers: auth(USER_KEY),
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const ok = await api.app.inject({
      method: 'POST',
      url: '/v1/admin/projections/rebuild',
      headers: auth(ADMIN_KEY),
    });
    expect(ok.statusCode).toBe(200);
    // An admin key is also a user key.
    expect(
      (await api.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth(ADMIN_KEY) }))
        .statusCode,
    ).toBe(200);
  });

  it('health, metrics, docs and media are public', async () => {
    for (const url of [
      '/health',
      '/health/live',
      '/health/ready',
      '/metrics',
      '/docs/openapi.json',
    ]) {
      expect({ url, status: (await api.app.inject({ method: 'GET', url })).statusCode }).toEqual({
        url,
        status: 200,
      });
    }
  });

  it('echoes a valid X-Request-Id and mints one otherwise', async () => {
    const given = await api.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'abc-123' },
    });
    expect(given.headers['x-request-id']).toBe('abc-123');
    const minted = await api.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { 'x-request-id': 'bad id\n' },
    });
    expect(minted.headers['x-request-id']).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('uses the request id as the correlation id of appended events', async () => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/jobs',
      headers: { ...auth(), 'x-request-id': 'corr-42' },
      payload: SPEC,
    });
    const [created] = await api.es.store.readStream(`job-${res.json().id}`);
    expect(created.metadata).toMatchObject({ correlationId: 'corr-42', actor: 'api' });
  });

  it('answers CORS preflights for configured origins only', async () => {
    const pre = await api.app.inject({
      method: 'OPTIONS',
      url: '/v1/jobs',
      headers: { origin: 'https://ui.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.statusCode).toBeLessThan(300);
    expect(pre.headers['access-control-allow-origin']).toBe('https://ui.example');
    const other = await api.app.inject({
      method: 'GET',
      url: '/health/live',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('404 problem+json for unknown routes', async () => {
    for (const url of ['/v1/nope', '/nope', '/v2/jobs']) {
      const res = await api.app.inject({ method: 'GET', url, headers: auth() });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', instance: url });
    }
  });

  it('serves local output with player-friendly types and no-cache playlists', async () => {
    const id = newId();
    mkdirSync(join(api.mediaDir, id, 'v0'), { recursive: true });
    const files: Array<[string, string, RegExp]> = [
      ['master.m3u8', '#EXTM3U\n', /^application\/vnd\.apple\.mpegurl/],
      ['manifest.mpd', '<MPD/>', /^application\/dash\+xml/],
      ['v0/seg-1.m4s', 'x', /^video\/iso\.segment/],
      ['v0/seg-1.ts', 'x', /^video\/mp2t/],
      ['v0/init.mp4', 'x', /^video\/mp4/],
    ];
    for (const [name, body, type] of files) {
      writeFileSync(join(api.mediaDir, id, name), body);
      const res = await api.app.inject({ method: 'GET', url: `/media/${id}/${name}` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(type);
      expect(res.body).toBe(body);
      expect(res.headers['cache-control']).toBe(
        /\.(m3u8|mpd)$/.test(name) ? 'no-cache' : 'public, max-age=86400, immutable',
      );
    }
    expect(
      (await api.app.inject({ method: 'GET', url: `/media/${id}/../../etc/passwd` })).statusCode,
    ).toBe(404);
  });
});

describe('rate limit (real Redis and SQS)', () => {
  let sqs: SqsServer;
  let api: TestApi;

  beforeAll(async () => {
    sqs = await startSqsServer();
    api = await startApi(sqs, { RATE_LIMIT_PER_MIN: '3' });
  });
  afterAll(async () => {
    await api?.close();
    await sqs?.stop();
  });

  it('429 problem+json with Retry-After past the per-key limit; other keys unaffected', async () => {
    for (let i = 0; i < 3; i++) {
      expect(
        (await api.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth() })).statusCode,
      ).toBe(200);
    }
    const limited = await api.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth() });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(limited.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(
      (await api.app.inject({ method: 'GET', url: '/v1/jobs', headers: auth(ADMIN_KEY) }))
        .statusCode,
    ).toBe(200);
    // Public routes are not limited.
    expect((await api.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
  });
});
