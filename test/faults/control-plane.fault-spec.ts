import { FaultCluster, sleep } from './support/cluster';
import { LIGHT_SPEC, recordTiming } from './support/media';

jest.setTimeout(180_000);

/** Runs `fn` over `items` with at most `concurrency` in flight. */
async function pool<T, R>(items: T[], concurrency: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

describe('control-plane faults: scheduler, Redis and SQS (real stack on loopback)', () => {
  let cluster: FaultCluster;

  afterEach(async () => {
    if (cluster) {
      expect(cluster.leakedSecrets()).toEqual([]);
      await cluster.stop();
    }
  });

  /** Every job `running`, each with exactly one placement. */
  async function expectPlacedOnce(ids: string[], timeoutMs: number): Promise<void> {
    await cluster.waitFor(
      `all ${ids.length} jobs running`,
      async () => {
        const states = await pool(ids, 20, async (id) => (await cluster.job(id)).state);
        return states.every((s) => s === 'running');
      },
      timeoutMs,
    );
    const histories = await pool(ids, 20, async (id) =>
      (await cluster.events(id)).map((e) => {
        const why = (e.data as { reason?: string }).reason;
        return why ? `${e.type}(${why})` : e.type;
      }),
    );
    // A job placed more than once shows its whole history (reasons included) in the failure.
    const count = (h: string[], type: string) => h.filter((x) => x.split('(')[0] === type).length;
    expect(
      histories.filter((h) => count(h, 'JobAssigned') !== 1 || count(h, 'JobRunning') !== 1),
    ).toEqual([]);
  }

  it('SIGKILL one of two schedulers during 200 creates: every job placed exactly once', async () => {
    cluster = await FaultCluster.start({ schedulers: 2, workers: 2 });
    const killAt = 60;
    let created = 0;
    let t0 = 0;
    const jobs = await pool(Array.from({ length: 200 }), 10, async () => {
      const job = await cluster.createJob({ ...LIGHT_SPEC, name: 'load' });
      if (++created === killAt) {
        cluster.node('scheduler-1').signal('SIGKILL');
        t0 = Date.now();
      }
      return job;
    });
    expect(new Set(jobs.map((j) => j.id)).size).toBe(200);
    await expectPlacedOnce(
      jobs.map((j) => j.id),
      90_000,
    );
    recordTiming('scheduler SIGKILL mid-burst → all 200 jobs placed', Date.now() - t0);
    expect(cluster.node('scheduler-1').alive).toBe(false);
  });

  it('restart Redis during activity: 503 with Retry-After while it is down, never 500; no acknowledged job lost; every app recovers on its own', async () => {
    cluster = await FaultCluster.start({ schedulers: 1, workers: 1 });
    const pids = [...cluster.nodes.values()].map((n) => n.pid);
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let retryAfter = 0;
    let running = true;
    // Clients keep creating and reading through the whole outage.
    const clients = Array.from({ length: 4 }, async () => {
      while (running) {
        const res = await cluster.request('POST', '/v1/jobs', LIGHT_SPEC).catch(() => null);
        if (!res) continue;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 201) {
          const job = res.body as { id: string; streamKey: string };
          cluster.remember(job);
          acknowledged.push(job.id);
        }
        const read = await cluster.request('GET', '/v1/jobs?limit=5').catch(() => null);
        if (read) statuses.set(read.status, (statuses.get(read.status) ?? 0) + 1);
        for (const r of [res, read])
          if (r?.status === 503 && Number(r.headers.get('retry-after')) > 0) retryAfter++;
        await sleep(50);
      }
    });
    await sleep(1500);
    await cluster.redis.stop();
    const down = Date.now();
    await sleep(3000);
    await cluster.redis.start();
    const t0 = Date.now();
    await cluster.waitFor(
      'the api answering 201 again',
      async () => (await cluster.request('POST', '/v1/jobs', LIGHT_SPEC)).status === 201,
      30_000,
    );
    recordTiming('Redis back → api creating again', Date.now() - t0);
    await sleep(1000);
    running = false;
    await Promise.all(clients);

    expect([...statuses.keys()].filter((s) => s !== 200 && s !== 201 && s !== 503)).toEqual([]);
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0); // the outage was seen…
    expect(retryAfter).toBe(statuses.get(503)); // …and every 503 said when to retry
    expect(Date.now() - down).toBeGreaterThan(3000);
    // Every job the API acknowledged is there, with its history, and gets placed once.
    await expectPlacedOnce(acknowledged, 60_000);
    // The same processes, none restarted.
    expect([...cluster.nodes.values()].map((n) => n.alive && n.pid)).toEqual(pids);
  });

  it('restart the SQS-protocol server: jobs created during the outage are placed after it', async () => {
    cluster = await FaultCluster.start({ schedulers: 1, workers: 1 });
    const before = await cluster.createJob(LIGHT_SPEC);
    await cluster.waitForState(before.id, 'running');
    const during: string[] = [];
    await cluster.restartSqs(3000, async () => {
      for (let i = 0; i < 5; i++) during.push((await cluster.createJob(LIGHT_SPEC)).id);
    });
    const t0 = Date.now();
    await expectPlacedOnce(during, 60_000);
    recordTiming('SQS server back → jobs created during the outage placed', Date.now() - t0);
    // Intake works as before for new jobs.
    const after = await cluster.createJob(LIGHT_SPEC);
    await cluster.waitForState(after.id, 'running');
  });
});
