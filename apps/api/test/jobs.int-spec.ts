import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobSecretsStore, JobStatsStore, newId, type JobStats } from '@ezlive/infra';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { auth, drive, placeAndRun, SPEC, startApi, type TestApi } from './api-harness';

jest.setTimeout(30_000);

describe('jobs API (real Redis, real SQS-protocol server)', () => {
  let sqs: SqsServer;
  let api: TestApi;

  beforeAll(async () => {
    sqs = await startSqsServer();
    api = await startApi(sqs, { PLAYBACK_BASE_URL: 'https://cdn.example.com/media' });
  });
  afterAll(async () => {
    await api?.close();
    await sqs?.stop();
  });

  const req = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    api.app.inject({ method, url, headers: auth(), ...(payload ? { payload } : {}) });
  const create = async (spec: object = SPEC) => {
    const res = await req('POST', '/v1/jobs', spec);
    expect(res.statusCode).toBe(201);
    return res.json() as { id: string; streamKey: string; [k: string]: unknown };
  };

  describe('POST /v1/jobs', () => {
    it('201: appends JobCreated, sends {jobId} to SQS once, returns the job with URLs', async () => {
      await api.drainQueue(0);
      const res = await req('POST', '/v1/jobs', SPEC);
      expect(res.statusCode).toBe(201);
      const job = res.json();
      expect(job.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(res.headers.location).toBe(`/v1/jobs/${job.id}`);
      expect(job).toMatchObject({
        state: 'created',
        name: 'news',
        warnings: [],
        ingest: { status: 'pending', rtmp: 'pending', srt: null },
        playback: {
          hls: `https://cdn.example.com/media/${job.id}/master.m3u8`,
          dash: `https://cdn.example.com/media/${job.id}/manifest.mpd`,
        },
      });
      expect(job.spec.video[0].preset).toBe('veryfast');
      expect(job.streamKey).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const secrets = await new JobSecretsStore(api.es.redis, api.es.keys).get(job.id);
      expect(secrets?.streamKey).toBe(job.streamKey);
      const history = await api.es.store.readStream(`job-${job.id}`);
      expect(history.map((e) => e.type)).toEqual(['JobCreated']);
      expect(JSON.stringify(history)).not.toContain(job.streamKey);
      expect(await api.drainQueue()).toEqual([JSON.stringify({ jobId: job.id })]);
    });

    it('returns validation warnings with an accepted job', async () => {
      const job = await create({ ...SPEC, input: { protocol: 'srt', reconnectWindowSec: 0 } });
      expect(job.warnings).toEqual([
        expect.objectContaining({ path: 'input.reconnectWindowSec', code: 'NO_RECONNECT_WINDOW' }),
      ]);
      expect(job.ingest).toEqual({ status: 'pending', rtmp: null, srt: 'pending' });
    });

    it('400 problem+json names every field with a code', async () => {
      const res = await req('POST', '/v1/jobs', {
        ...SPEC,
        extra: 1,
        video: [{ ...SPEC.video[0], width: 99999, bitrateKbps: 'x' }],
      });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const p = res.json();
      expect(p).toMatchObject({ status: 400, code: 'INVALID_JOB_SPEC', instance: '/v1/jobs' });
      expect(p.type).toBe('urn:ezlive:problem:invalid-job-spec');
      expect(p.errors.map((e: { path: string; code: string }) => `${e.path}:${e.code}`)).toEqual(
        expect.arrayContaining(['extra:UNKNOWN_FIELD', 'video[0].width:TOO_LARGE']),
      );
      expect(p.errors.some((e: { path: string }) => e.path === 'video[0].bitrateKbps')).toBe(true);
    });

    it('400 for malformed JSON, 415 for a non-JSON type, 413 above the body limit', async () => {
      const badJson = await api.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: '{"name":',
      });
      expect(badJson.statusCode).toBe(400);
      expect(badJson.json().errors[0]).toMatchObject({ path: '', code: 'INVALID_BODY' });
      const xml = await api.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...auth(), 'content-type': 'application/xml' },
        payload: '<job/>',
      });
      expect(xml.statusCode).toBe(415);
      expect(xml.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const big = await api.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: { ...auth(), 'content-type': 'application/json' },
        payload: JSON.stringify({ ...SPEC, name: 'x'.repeat(api.config.bodyLimitBytes) }),
      });
      expect(big.statusCode).toBe(413);
      expect(big.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(big.json().code).toBe('BODY_TOO_LARGE');
    });
  });

  describe('GET /v1/jobs/:id and /stats', () => {
    it('200 with the full stream key, ingest URLs once running, and latest stats', async () => {
      const job = await create();
      await placeAndRun(api, job.id);
      const stats: JobStats = {
        at: new Date().toISOString(),
        attempt: 1,
        ingestBitrateKbps: 2500,
        ingestBytes: 1234,
        outputFps: 30,
        speed: 1,
        droppedFrames: 0,
        dupFrames: 0,
        ffmpegCpuPercent: 80,
        rssBytes: 1e8,
        uptimeSec: 4,
        activeSec: 2,
        restarts: 0,
        lastError: null,
      };
      const store = new JobStatsStore(api.es.redis, api.es.keys);
      await store.write(job.id, { ...stats, uptimeSec: 2 });
      await store.write(job.id, stats);
      await api.es.admin.waitForCatchUp();
      const res = await req('GET', `/v1/jobs/${job.id}`);
      expect(res.statusCode).toBe(200);
      const got = res.json();
      expect(got).toMatchObject({
        id: job.id,
        state: 'running',
        workerId: 'w1',
        streamKey: job.streamKey,
        ingest: { status: 'ready', rtmp: `rtmp://w1.test:1935/live/${job.streamKey}`, srt: null },
        playback: job.playback,
        stats,
      });
      const series = await req('GET', `/v1/jobs/${job.id}/stats`);
      expect(series.statusCode).toBe(200);
      expect(series.json()).toEqual({
        id: job.id,
        latest: stats,
        series: [{ ...stats, uptimeSec: 2 }, stats],
      });
    });

    it('reads its own write: GET right after POST finds the job', async () => {
      const job = await create();
      expect((await req('GET', `/v1/jobs/${job.id}`)).statusCode).toBe(200);
    });

    it.each([newId(), 'not-a-ulid', '..%2F..%2Fetc'])(
      '404 problem for unknown id %s',
      async (id) => {
        for (const url of [`/v1/jobs/${id}`, `/v1/jobs/${id}/stats`]) {
          const res = await req('GET', url);
          expect(res.statusCode).toBe(404);
          expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          expect(res.json().code).toBe('JOB_NOT_FOUND');
        }
      },
    );
  });

  describe('GET /v1/jobs', () => {
    it('lists newest first with stream keys masked, filters by state, validates the query', async () => {
      const a = await create();
      const b = await create();
      await drive(api, a.id, { type: 'QueueJob', data: { cost: 1 } });
      await api.es.admin.waitForCatchUp();
      const page = (await req('GET', '/v1/jobs?limit=2')).json();
      expect(page.items.map((j: { id: string }) => j.id)).toEqual([b.id, a.id]);
      expect(page.nextCursor).toBe(a.id);
      for (const item of page.items) {
        expect(JSON.stringify(item)).not.toContain(item.id === a.id ? a.streamKey : b.streamKey);
        expect(item.streamKey).toMatch(/^.{4}…$/);
      }
      const queued = (await req('GET', '/v1/jobs?state=queued')).json();
      expect(queued.items.map((j: { id: string }) => j.id)).toEqual([a.id]);
      for (const [q, path] of [
        ['limit=0', 'limit'],
        ['limit=101', 'limit'],
        ['limit=abc', 'limit'],
        ['state=deleted', 'state'],
        ['state=nope', 'state'],
        ['cursor=../x', 'cursor'],
        ['limit=1&limit=2', 'limit'],
      ]) {
        const res = await req('GET', `/v1/jobs?${q}`);
        expect(res.statusCode).toBe(400);
        expect(res.json().errors[0].path).toBe(path);
      }
    });

    it('pagination neither skips nor repeats jobs while others are being created', async () => {
      const before = [];
      for (let i = 0; i < 12; i++) before.push((await create()).id);
      await api.es.admin.waitForCatchUp();
      const seen: string[] = [];
      let cursor: string | null = null;
      const inserting = Promise.all(Array.from({ length: 10 }, () => create()));
      do {
        const url: string = `/v1/jobs?limit=5${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await req('GET', url)).json();
        seen.push(...page.items.map((j: { id: string }) => j.id));
        cursor = page.nextCursor;
      } while (cursor);
      await inserting;
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of before) expect(seen).toContain(id);
      expect([...seen].sort().reverse()).toEqual(seen);
    });
  });

  describe('stop, resume, delete', () => {
    it('stop: 202, then 409 while stopping; two concurrent stops → one 202, one 409', async () => {
      const job = await create();
      await placeAndRun(api, job.id);
      const [r1, r2] = await Promise.all([
        req('POST', `/v1/jobs/${job.id}/stop`),
        req('POST', `/v1/jobs/${job.id}/stop`),
      ]);
      expect([r1.statusCode, r2.statusCode].sort()).toEqual([202, 409]);
      const ok = r1.statusCode === 202 ? r1 : r2;
      const conflict = r1.statusCode === 202 ? r2 : r1;
      expect(ok.json()).toMatchObject({ id: job.id, state: 'stopping' });
      expect(conflict.json()).toMatchObject({ status: 409, code: 'JOB_NOT_STOPPABLE' });
      const types = (await api.es.store.readStream(`job-${job.id}`)).map((e) => e.type);
      expect(types.filter((t) => t === 'StopRequested')).toHaveLength(1);
    });

    it('stop before placement stops at once; 404 for unknown', async () => {
      const job = await create();
      const res = await req('POST', `/v1/jobs/${job.id}/stop`);
      expect(res.statusCode).toBe(202);
      expect(res.json().state).toBe('stopped');
      expect((await req('POST', `/v1/jobs/${job.id}/stop`)).statusCode).toBe(409);
      expect((await req('POST', `/v1/jobs/${newId()}/stop`)).statusCode).toBe(404);
    });

    it('resume: 409 unless stopped/failed; two concurrent resumes → one 202 (re-sent to SQS), one 409', async () => {
      const job = await create();
      await api.drainQueue();
      const early = await req('POST', `/v1/jobs/${job.id}/resume`);
      expect(early.statusCode).toBe(409);
      expect(early.json().code).toBe('JOB_NOT_RESUMABLE');
      await req('POST', `/v1/jobs/${job.id}/stop`);
      const [r1, r2] = await Promise.all([
        req('POST', `/v1/jobs/${job.id}/resume`),
        req('POST', `/v1/jobs/${job.id}/resume`),
      ]);
      expect([r1.statusCode, r2.statusCode].sort()).toEqual([202, 409]);
      expect((r1.statusCode === 202 ? r1 : r2).json()).toMatchObject({ state: 'created' });
      expect(await api.drainQueue()).toEqual([JSON.stringify({ jobId: job.id })]);
      expect((await req('POST', `/v1/jobs/${newId()}/resume`)).statusCode).toBe(404);
      expect(await api.es.redis.zcard(`${api.prefix}:intake:pending`)).toBe(0);
    });

    it('delete: 409 unless stopped/failed; 204 erases keys, stats and local output; then 404', async () => {
      const job = await create();
      const conflict = await req('DELETE', `/v1/jobs/${job.id}`);
      expect(conflict.statusCode).toBe(409);
      expect(conflict.json().code).toBe('JOB_NOT_STOPPED');
      const out = join(api.mediaDir, job.id);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'master.m3u8'), '#EXTM3U\n');
      await new JobStatsStore(api.es.redis, api.es.keys).write(job.id, {
        at: new Date().toISOString(),
      } as JobStats);
      await req('POST', `/v1/jobs/${job.id}/stop`);
      const res = await req('DELETE', `/v1/jobs/${job.id}`);
      expect(res.statusCode).toBe(204);
      expect(res.body).toBe('');
      expect(existsSync(out)).toBe(false);
      expect(await new JobSecretsStore(api.es.redis, api.es.keys).get(job.id)).toBeNull();
      expect(
        await new JobSecretsStore(api.es.redis, api.es.keys).jobForStreamKey(job.streamKey),
      ).toBeNull();
      expect(await new JobStatsStore(api.es.redis, api.es.keys).latest(job.id)).toBeNull();
      await api.es.admin.waitForCatchUp();
      expect((await req('GET', `/v1/jobs/${job.id}`)).statusCode).toBe(404);
      expect((await req('DELETE', `/v1/jobs/${job.id}`)).statusCode).toBe(404);
      expect((await req('DELETE', `/v1/jobs/${newId()}`)).statusCode).toBe(404);
    });

    it('a failed job can be resumed and deleted', async () => {
      const job = await create();
      await placeAndRun(api, job.id);
      await drive(api, job.id, {
        type: 'ReportFailed',
        data: { workerId: 'w1', attempt: 1, reason: 'ffmpeg crashed', detail: ['boom'] },
      });
      expect((await req('POST', `/v1/jobs/${job.id}/resume`)).statusCode).toBe(202);
      await req('POST', `/v1/jobs/${job.id}/stop`);
      expect((await req('DELETE', `/v1/jobs/${job.id}`)).statusCode).toBe(204);
    });
  });
});
