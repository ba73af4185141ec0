import autocannon from 'autocannon';
import type { Redis } from 'ioredis';
import { createRedis, EventSourcing } from '@ezlive/infra';
import { SimulatedWorker } from '../support/simulated-worker';
import { FaultCluster, type JobView } from './support/cluster';
import { LIGHT_SPEC, recordFigures } from './support/media';

jest.setTimeout(300_000);

const CLIENTS = 200;
const DURATION_SEC = 60;
const LIVE_JOBS = 50;
const SIMULATED_WORKERS = 5;

/**
 * 200 concurrent API clients for 60 s, every one cycling through reads of live jobs, a list
 * and a create, against the real api + scheduler processes, Redis and SQS server, while 50
 * live jobs sit on simulated workers (real registry members and BullMQ consumers, no FFmpeg)
 * and every job created under load gets placed on them too.
 */
describe('load: 200 API clients for 60 s with 50 live jobs', () => {
  let cluster: FaultCluster;
  let redis: Redis;
  const workers: SimulatedWorker[] = [];

  beforeAll(async () => {
    // Request logging off: this measures the API, not the log pipe to the test process.
    cluster = await FaultCluster.start({ workers: 0, env: { LOG_LEVEL: 'warn' } });
    redis = createRedis(cluster.redis.url);
    const es = new EventSourcing(redis, { prefix: cluster.prefix, partitions: 16 });
    for (let i = 1; i <= SIMULATED_WORKERS; i++) {
      const worker = new SimulatedWorker(redis, es.store, {
        workerId: `sim-${i}`,
        keyPrefix: cluster.prefix,
        capacity: 1_000_000_000,
        heartbeatMs: 500,
      });
      workers.push(await worker.start());
    }
  });
  afterAll(async () => {
    // Crash, not leave: leaving would reassign thousands of jobs while the cluster stops.
    for (const w of workers) await w.crash();
    redis?.disconnect();
    if (cluster) {
      expect(cluster.leakedSecrets()).toEqual([]);
      await cluster.stop();
    }
  });

  it('answers every request (no error, no timeout, no non-2xx), loses no job and moves no live job', async () => {
    const live: JobView[] = [];
    for (let i = 0; i < LIVE_JOBS; i++) live.push(await cluster.createJob(LIGHT_SPEC));
    const placed = new Map<string, JobView>();
    await cluster.waitFor(
      `${LIVE_JOBS} live jobs running`,
      async () => {
        for (const job of live) {
          if (placed.has(job.id)) continue;
          const view = await cluster.job(job.id);
          if (view.state === 'running') placed.set(job.id, view);
        }
        return placed.size === LIVE_JOBS;
      },
      60_000,
    );

    const auth = { authorization: `Bearer ${cluster.apiKey}` };
    const ids = live.map((j) => j.id);
    const created: string[] = [];
    const readJob: autocannon.Request = {
      method: 'GET',
      headers: auth,
      setupRequest: (req) => ({
        ...req,
        path: `/v1/jobs/${ids[Math.floor(Math.random() * ids.length)]}`,
      }),
    };
    const result = await autocannon({
      url: cluster.api,
      connections: CLIENTS,
      duration: DURATION_SEC,
      timeout: 10,
      requests: [
        readJob,
        readJob,
        { method: 'GET', path: '/v1/jobs?limit=20', headers: auth },
        readJob,
        readJob,
        { method: 'GET', path: '/v1/workers', headers: auth },
        readJob,
        {
          method: 'POST',
          path: '/v1/jobs',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ ...LIGHT_SPEC, name: 'load channel' }),
          onResponse: (status, body) => {
            if (status === 201) created.push((JSON.parse(body) as { id: string }).id);
          },
        },
      ],
    });
    recordFigures('load: 200 clients × 60 s, reads + creates, 50 live jobs', {
      requests: result.requests.total,
      requestsPerSec: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      maxMs: result.latency.max,
      creates: created.length,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
    });

    expect({
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
      statuses: Object.keys(result.statusCodeStats).sort(),
    }).toEqual({ errors: 0, timeouts: 0, non2xx: 0, statuses: ['200', '201'] });
    expect(result.requests.total).toBeGreaterThan(CLIENTS);
    expect(created.length).toBeGreaterThan(0);

    // Every job acknowledged under load exists and is placed on a simulated worker.
    const simulated = new Set(workers.map((w) => w.workerId));
    const pending = new Set(created);
    await cluster.waitFor(
      `${created.length} jobs created under load placed`,
      async () => {
        const batch = [...pending].slice(0, 50);
        const views = await Promise.all(batch.map((id) => cluster.job(id)));
        for (const view of views) {
          if (view.state === 'running' && simulated.has(view.workerId ?? '')) {
            pending.delete(view.id);
          }
        }
        return pending.size === 0;
      },
      180_000,
    );

    // The live jobs did not move: same worker, same attempt, still running.
    for (const job of live) {
      const now = await cluster.job(job.id);
      const before = placed.get(job.id)!;
      expect({
        id: now.id,
        state: now.state,
        workerId: now.workerId,
        attempt: now.attempt,
      }).toEqual({
        id: job.id,
        state: 'running',
        workerId: before.workerId,
        attempt: before.attempt,
      });
    }
  });
});
