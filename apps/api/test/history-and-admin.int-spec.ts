import { newId, WorkerRegistry } from '@ezlive/infra';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { EventHub, eventHubConnectionName } from '../src/history/event-hub';
import { ADMIN_KEY, auth, drive, placeAndRun, SPEC, startApi, type TestApi } from './api-harness';

jest.setTimeout(30_000);

describe('event history, replay, SSE, workers, admin (real Redis and SQS)', () => {
  let sqs: SqsServer;
  let api: TestApi;
  let base: string;

  beforeAll(async () => {
    sqs = await startSqsServer();
    api = await startApi(sqs);
    await api.app.listen(0, '127.0.0.1');
    base = await api.app.getUrl();
  });
  afterAll(async () => {
    await api?.close();
    await sqs?.stop();
  });

  const get = (url: string, key?: string) =>
    api.app.inject({ method: 'GET', url, headers: auth(key) });
  const create = async () =>
    (
      await api.app.inject({ method: 'POST', url: '/v1/jobs', headers: auth(), payload: SPEC })
    ).json().id as string;

  it('GET /events: full history with metadata; kept after delete; 404 unknown', async () => {
    const id = await create();
    await api.app.inject({ method: 'POST', url: `/v1/jobs/${id}/stop`, headers: auth() });
    await api.app.inject({ method: 'DELETE', url: `/v1/jobs/${id}`, headers: auth() });
    const res = await get(`/v1/jobs/${id}/events`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.version).toBe(4);
    expect(body.events.map((e: { type: string }) => e.type)).toEqual([
      'JobCreated',
      'StopRequested',
      'JobStopped',
      'JobDeleted',
    ]);
    expect(body.events[0].metadata).toMatchObject({
      version: 1,
      actor: 'api',
      jobId: id,
      streamId: `job-${id}`,
    });
    expect(body.events[0].metadata.eventId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect((await get(`/v1/jobs/${newId()}/events`)).statusCode).toBe(404);
  });

  it('GET /state?version= and ?at= fold the job to that point', async () => {
    const id = await create();
    await drive(api, id, { type: 'QueueJob', data: { cost: 1 } });
    const history = (await get(`/v1/jobs/${id}/events`)).json().events;
    const v1 = (await get(`/v1/jobs/${id}/state?version=1`)).json();
    expect(v1).toMatchObject({
      id,
      version: 1,
      state: { status: 'created' },
      view: { state: 'created' },
    });
    expect((await get(`/v1/jobs/${id}/state?version=2`)).json().state.status).toBe('queued');
    expect((await get(`/v1/jobs/${id}/state?version=0`)).json()).toMatchObject({
      version: 0,
      state: { status: 'initial' },
      view: null,
      at: null,
    });
    const at = encodeURIComponent(history[0].metadata.at);
    expect((await get(`/v1/jobs/${id}/state?at=${at}`)).json().version).toBe(
      history.filter((e: { metadata: { at: string } }) => e.metadata.at <= history[0].metadata.at)
        .length,
    );
    for (const [q, path] of [
      ['', 'version'],
      ['version=1&at=2026-01-01T00:00:00Z', 'version'],
      ['version=-1', 'version'],
      ['version=abc', 'version'],
      ['at=yesterday', 'at'],
      ['at=2026-13-45T00:00:00Z', 'at'],
    ]) {
      const res = await get(`/v1/jobs/${id}/state?${q}`);
      expect({ q, status: res.statusCode }).toEqual({ q, status: 400 });
      expect(res.json().errors[0].path).toBe(path);
    }
    expect((await get(`/v1/jobs/${newId()}/state?version=1`)).statusCode).toBe(404);
  });

  /** Reads SSE frames until `until` returns true. */
  async function readFrames(
    res: Response,
    until: (frames: Array<{ id: number; event: string }>) => boolean,
    onFrame?: (frames: Array<{ id: number; event: string }>) => Promise<void>,
  ) {
    const reader = res.body!.getReader();
    const frames: Array<{ id: number; event: string }> = [];
    let buffer = '';
    while (!until(frames)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += Buffer.from(value).toString();
      let cut;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const id = /^id: (\d+)$/m.exec(block);
        const event = /^event: (\w+)$/m.exec(block);
        const data = /^data: (.*)$/m.exec(block);
        if (id && event && data) {
          expect(JSON.parse(data[1]).metadata.version).toBe(Number(id[1]));
          frames.push({ id: Number(id[1]), event: event[1] });
          await onFrame?.(frames);
        }
      }
    }
    await reader.cancel();
    return frames;
  }

  it('SSE: history first, then live events as they are appended; Last-Event-ID resumes', async () => {
    const id = await create();
    await drive(api, id, { type: 'QueueJob', data: { cost: 1 } });
    const res = await fetch(`${base}/v1/jobs/${id}/events/stream`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    let appended = false;
    const frames = await readFrames(
      res,
      (f) => f.length >= 4,
      async (f) => {
        // Only once the history has arrived does anything new get appended.
        if (f.length === 2 && !appended) {
          appended = true;
          await drive(api, id, { type: 'AssignJob', data: { workerId: 'w1' } });
          await drive(api, id, { type: 'RequestStop', data: { reason: 'test' } });
        }
      },
    );
    expect(frames).toEqual([
      { id: 1, event: 'JobCreated' },
      { id: 2, event: 'JobQueued' },
      { id: 3, event: 'JobAssigned' },
      { id: 4, event: 'StopRequested' },
    ]);
    const resumed = await fetch(`${base}/v1/jobs/${id}/events/stream`, {
      headers: { ...auth(), 'last-event-id': '3' },
    });
    expect(await readFrames(resumed, (f) => f.length >= 1)).toEqual([
      { id: 4, event: 'StopRequested' },
    ]);
  });

  type SseEvent = { event: string; data: { metadata: { jobId: string } } };
  /** Reads SSE blocks (`event` + parsed `data`) until `until` holds. */
  async function readEvents(res: Response, until: (events: SseEvent[]) => boolean) {
    const reader = res.body!.getReader();
    const events: SseEvent[] = [];
    let buffer = '';
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += Buffer.from(value).toString();
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (\w+)$/m.exec(block);
        const data = /^data: (.*)$/m.exec(block);
        if (event && data) events.push({ event: event[1], data: JSON.parse(data[1]) });
      }
    }
    await reader.cancel();
    return events;
  }

  it('SSE /v1/events/stream: every job’s new events, live, without ids', async () => {
    const before = await create(); // history from before the stream opened is not replayed
    const res = await fetch(`${base}/v1/events/stream`, { headers: auth() });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const [a, b] = [await create(), await create()];
    await drive(api, a, { type: 'QueueJob', data: { cost: 1 } });
    const events = await readEvents(res, (e) => e.length >= 3);
    expect(events.map((e) => [e.data.metadata.jobId, e.event])).toEqual([
      [a, 'JobCreated'],
      [b, 'JobCreated'],
      [a, 'JobQueued'],
    ]);
    expect(events.some((e) => e.data.metadata.jobId === before)).toBe(false);
    expect((await fetch(`${base}/v1/events/stream`)).status).toBe(401);
  });

  it('SSE: twenty open streams share one Redis connection, released when they close', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, () => create()));
    const clients = async () =>
      ((await api.es.redis.client('LIST')) as string)
        .split('\n')
        .filter((l) => l.includes(` name=${eventHubConnectionName(api.prefix)} `)).length;
    const streams = await Promise.all(
      ids.map((id) => fetch(`${base}/v1/jobs/${id}/events/stream`, { headers: auth() })),
    );
    const firsts = await Promise.all(streams.map((r) => readFrames(r, (f) => f.length >= 1)));
    expect(firsts.map((f) => f[0].event)).toEqual(ids.map(() => 'JobCreated'));
    // Every stream is cancelled by readFrames; the hub lets go of Redis after the last one.
    const hub = api.app.get(EventHub);
    for (let i = 0; i < 50 && hub.subscribers > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(hub.subscribers).toBe(0);
    expect(await clients()).toBe(0);
    const more = await Promise.all(
      ids
        .slice(0, 5)
        .map((id) => fetch(`${base}/v1/jobs/${id}/events/stream`, { headers: auth() })),
    );
    const readers = more.map((r) => r.body!.getReader());
    const firstFrames = await Promise.all(readers.map((r) => r.read()));
    expect(firstFrames.every((f) => !f.done)).toBe(true);
    // The hub's connection names itself once connected: give it a moment, then count.
    for (let i = 0; i < 50 && (await clients()) === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(hub.subscribers).toBe(5);
    expect(await clients()).toBe(1);
    await Promise.all(readers.map((r) => r.cancel()));
  });

  it('SSE: HEAD answers without opening a tail', async () => {
    const id = await create();
    const res = await api.app.inject({
      method: 'HEAD',
      url: `/v1/jobs/${id}/events/stream`,
      headers: auth(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
  });

  it('SSE: 404 problem for an unknown job, 401 without a key', async () => {
    const unknown = await fetch(`${base}/v1/jobs/${newId()}/events/stream`, { headers: auth() });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await fetch(`${base}/v1/jobs/${newId()}/events/stream`)).status).toBe(401);
  });

  it('GET /v1/workers: membership, capacity, load, jobs and last heartbeat (real registry)', async () => {
    const registry = new WorkerRegistry(api.es.redis, api.es.store, api.prefix);
    const { incarnation } = await registry.register('w1', {
      host: 'w1.test',
      rtmpPort: 1935,
      srtPortRange: [10000, 10100],
      cpuCores: 4,
      capacity: 8,
      version: '0.1.0',
      labels: {},
    });
    const jobId = await create();
    await placeAndRun(api, jobId);
    expect(
      await registry.heartbeat('w1', {
        load: 2,
        jobs: [{ jobId, attempt: 1 }],
        capacity: 6,
        incarnation,
      }),
    ).toBe(true);
    await api.es.admin.waitForCatchUp();
    const [live] = await registry.liveWorkers(60_000);
    const res = await get('/v1/workers');
    expect(res.statusCode).toBe(200);
    expect(res.json().items).toEqual([
      {
        id: 'w1',
        host: 'w1.test',
        state: 'active',
        capacity: 6,
        load: live.load,
        jobs: expect.arrayContaining([jobId]),
        lastHeartbeatAt: new Date(live.lastHeartbeatAt).toISOString(),
        rtmpPort: 1935,
        cpuCores: 4,
        version: '0.1.0',
        registeredAt: expect.any(String),
      },
    ]);
    expect(live.load).toBeGreaterThanOrEqual(2);
  });

  it('POST /v1/admin/projections/rebuild: 200 with a report, read models intact; 409 while one runs', async () => {
    const id = await create();
    await api.es.admin.waitForCatchUp();
    const before = (await get('/v1/jobs?limit=100')).json().items.map((j: { id: string }) => j.id);
    const res = await api.app.inject({
      method: 'POST',
      url: '/v1/admin/projections/rebuild',
      headers: auth(ADMIN_KEY),
    });
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report.generation).toBeGreaterThan(report.previousGeneration);
    expect(report.documents).toBeGreaterThanOrEqual(before.length);
    const after = (await get('/v1/jobs?limit=100')).json().items.map((j: { id: string }) => j.id);
    expect(after).toEqual(before);
    expect(after).toContain(id);

    await api.es.redis.set(api.es.keys.nextGeneration, '999999');
    const busy = await api.app.inject({
      method: 'POST',
      url: '/v1/admin/projections/rebuild',
      headers: auth(ADMIN_KEY),
    });
    await api.es.redis.del(api.es.keys.nextGeneration);
    expect(busy.statusCode).toBe(409);
    expect(busy.json().code).toBe('REBUILD_IN_PROGRESS');
  });
});

describe('graceful shutdown with open event streams (real Redis and SQS)', () => {
  it('ends open SSE streams and closes', async () => {
    const sqs = await startSqsServer();
    const api = await startApi(sqs);
    try {
      await api.app.listen(0, '127.0.0.1');
      const base = await api.app.getUrl();
      const created = await api.app.inject({
        method: 'POST',
        url: '/v1/jobs',
        headers: auth(),
        payload: SPEC,
      });
      const res = await fetch(`${base}/v1/jobs/${created.json().id}/events/stream`, {
        headers: auth(),
      });
      const reader = res.body!.getReader();
      let text = '';
      while (!text.includes('event: JobCreated'))
        text += Buffer.from((await reader.read()).value!).toString();
      // Closing must not wait for the client: the stream ends and the reader sees it.
      await api.close();
      let done = false;
      while (!done) done = (await reader.read()).done;
      expect(done).toBe(true);
    } finally {
      await sqs.stop();
    }
  });
});
