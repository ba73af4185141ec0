import type { Redis } from 'ioredis';
import {
  foldDocument,
  handleCommand,
  jobDecider,
  jobStreamId,
  jobViewProjection,
  workerDecider,
  workerStreamId,
  type JobCommand,
  type WorkerCommand,
  type JobView,
  type RecordedEvent,
} from '@ezlive/domain';
import { SPEC } from '@ezlive/domain/job/job.fixtures';
import { dropPrefix, testRedis, uniquePrefix } from '../../../../test/support/redis';
import { commandContext, newId } from '../context/command-context';
import { EventSourcing, PROJECTIONS } from '../event-sourcing';
import { ProjectionAdmin } from './projection-admin';

describe('projections (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let es: EventSourcing;

  beforeEach(() => {
    redis = testRedis();
    prefix = uniquePrefix('proj');
    es = new EventSourcing(redis, { prefix, partitions: 4 });
  });
  afterEach(async () => {
    await es.stopProjections();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  const run = (jobId: string, command: JobCommand) =>
    handleCommand(es.store, jobStreamId(jobId), jobDecider, command, commandContext('api'), {
      metadata: { jobId },
    });

  /** Creates jobs and walks them to a mix of states; returns ids newest last. */
  async function seed(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const jobId = newId();
      ids.push(jobId);
      await run(jobId, {
        type: 'CreateJob',
        data: { jobId, spec: SPEC, warnings: [], streamKeyFingerprint: 'f' },
      });
      if (i % 4 === 0) continue;
      await run(jobId, { type: 'QueueJob', data: { cost: 1 } });
      if (i % 4 === 1) continue;
      await run(jobId, { type: 'AssignJob', data: { workerId: `w${i % 3}` } });
      if (i % 4 === 2) continue;
      await run(jobId, { type: 'RequestStop', data: { reason: 'test' } });
      await run(jobId, {
        type: 'ReportStopped',
        data: { workerId: `w${i % 3}`, attempt: 1, reason: 'ok' },
      });
      if (i % 8 === 3) await run(jobId, { type: 'DeleteJob', data: {} });
    }
    return ids;
  }

  /** Worker streams in every status the worker view indexes: active, draining, left, lost. */
  async function seedWorkers(): Promise<void> {
    const info = {
      host: '10.0.0.1',
      rtmpPort: 1935,
      srtPortRange: [10000, 10049] as [number, number],
      cpuCores: 8,
      capacity: 640,
      version: '0.1.0',
      labels: { zone: 'a' },
    };
    const steps: WorkerCommand[][] = [
      [],
      [{ type: 'DrainWorker', data: { reason: 'SIGTERM' } }],
      [{ type: 'DeregisterWorker', data: { reason: 'drained' } }],
      [
        {
          type: 'DeclareWorkerLost',
          data: { lastHeartbeatAt: '2026-12-03T00:00:00.000Z', timeoutMs: 6000 },
        },
      ],
    ];
    for (const [i, rest] of steps.entries()) {
      const workerId = `w${i}`;
      for (const command of [
        { type: 'RegisterWorker', data: { workerId, info } } as WorkerCommand,
        ...rest,
      ])
        await handleCommand(
          es.store,
          workerStreamId(workerId),
          workerDecider,
          command,
          commandContext('scheduler'),
          {
            metadata: { workerId },
          },
        );
    }
  }

  async function expectedView(jobId: string): Promise<JobView | null> {
    return foldDocument(jobViewProjection, await es.store.readStream(jobStreamId(jobId)));
  }

  it('projects every job to the fold of its stream, with state, worker and creation-order indexes', async () => {
    const ids = await seed(24);
    await es.startProjections('t1');
    await es.admin.waitForCatchUp();
    for (const id of ids)
      expect(await es.readModels.get('job-view', id)).toEqual(await expectedView(id));
    const live = ids.filter((_, i) => !(i % 8 === 3));
    expect(await es.readModels.count('job-view', 'all')).toBe(live.length);
    expect(
      (await es.readModels.page<JobView>('job-view', 'state:queued', 100)).items.map(
        (j) => j.jobId,
      ),
    ).toEqual(ids.filter((_, i) => i % 4 === 1).reverse());
    expect((await es.readModels.members('job-view', 'worker:w2')).sort()).toEqual(
      ids.filter((_, i) => i % 4 === 2 && i % 3 === 2).sort(),
    );

    // Cursor pagination walks every job exactly once, newest first, while new jobs arrive.
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await es.readModels.page<JobView>('job-view', 'all', 5, cursor);
      seen.push(...page.items.map((j) => j.jobId));
      cursor = page.nextCursor ?? undefined;
      await seed(1);
    } while (cursor);
    expect(seen).toEqual([...live].reverse());
  });

  it('all() walks every page of an index, newest first', async () => {
    const ids = await seed(13); // 4 of them stay `created`
    await es.startProjections('test');
    await es.admin.waitForCatchUp();
    const seen: string[] = [];
    for await (const v of es.readModels.all<JobView>('job-view', 'state:created', 3))
      seen.push(v.jobId);
    expect(seen).toEqual(ids.filter((_, i) => i % 4 === 0).reverse());
  });

  it('a consumer that dies holding entries delays the read model by seconds, not forever', async () => {
    const [id] = await seed(1);
    // A consumer reads the job's entries and dies before applying them (never acks).
    for (const p of es.keys.allPartitions()) {
      await redis.xgroup('CREATE', p, es.keys.consumerGroup('job-view'), '0', 'MKSTREAM');
      await redis.xreadgroup('GROUP', es.keys.consumerGroup('job-view'), 'dead', 'STREAMS', p, '>');
    }
    await es.startProjections('alive');
    // Claimed from the dead consumer once its entries idled 5 s (waited for at most 10 s).
    for (let i = 0; i < 100 && !(await es.readModels.get('job-view', id)); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(await es.readModels.get('job-view', id)).toEqual(await expectedView(id));
  }, 20_000);

  it('ends identical when fed duplicated and reordered deliveries', async () => {
    const ids = await seed(12);
    const all: RecordedEvent[] = [];
    for (const id of ids) all.push(...(await es.store.readStream(jobStreamId(id))));
    // Deterministic shuffle with every event delivered twice.
    const deliveries = [...all, ...all]
      .map((e, i) => ({ e, k: (i * 7919) % 104729 }))
      .sort((a, b) => a.k - b.k)
      .map((d) => d.e);
    const generation = 77;
    for (const e of deliveries)
      await es.readModels.apply(es.store, generation, jobViewProjection, e);
    for (const id of ids) {
      expect((await es.readModels.readDoc(generation, 'job-view', id)).doc).toEqual(
        await expectedView(id),
      );
    }
    await es.admin.deleteGeneration(generation);
  });

  /** Seeds `jobs` jobs and the four workers, projects them live: generation 0's keys. */
  async function liveReadModels(jobs: number, consumer: string) {
    await seed(jobs);
    await seedWorkers();
    await es.startProjections(consumer);
    await es.admin.waitForCatchUp();
    return snapshot(redis, `${prefix}:rm:{g0}:`);
  }

  it('rebuild produces exactly the live read models and switches readers atomically', async () => {
    const before = await liveReadModels(40, 't2');
    expect(Object.keys(before).length).toBeGreaterThan(40);
    // Both projections are in the comparison: job views and the four worker views.
    expect(Object.keys(before).filter((k) => k.includes('worker-view:doc:'))).toHaveLength(4);

    const report = await es.admin.rebuild();
    expect(report).toMatchObject({ previousGeneration: 0, generation: 1 });
    expect(await es.readModels.currentGeneration()).toBe(1);
    const after = await snapshot(redis, `${prefix}:rm:{g1}:`);
    expect(after).toEqual(before);

    // Live projection continues into the new generation.
    const [late] = await seed(1);
    await es.admin.waitForCatchUp();
    expect(await es.readModels.get('job-view', late)).toEqual(await expectedView(late));
  });

  it('a rebuild read in batches shorter than a stream writes the same documents', async () => {
    // Batches of 3 entries: most streams' events span several batches, so their documents
    // are written once per batch and the last (newest) write must be the live document.
    const live = await liveReadModels(12, 't4');
    const admin = new ProjectionAdmin(redis, es.store, es.readModels, PROJECTIONS, {
      scanBatch: 3,
    });
    const report = await admin.rebuild();
    expect(report.documents).toBe(12 + 4);
    let entries = 0;
    for (const partition of es.keys.allPartitions()) entries += await redis.xlen(partition);
    expect(report.events).toBe(entries);
    expect(entries).toBeGreaterThan(4 * 3 * 2); // over two batches per partition on average
    expect(await snapshot(redis, `${prefix}:rm:{g${report.generation}}:`)).toEqual(live);
  });

  it('events appended during a rebuild reach the new generation', async () => {
    await seed(30);
    await es.startProjections('t3');
    await es.admin.waitForCatchUp();
    const writing = seed(10);
    await es.admin.rebuild();
    const late = await writing;
    await es.admin.waitForCatchUp();
    for (const id of late)
      expect(await es.readModels.get('job-view', id)).toEqual(await expectedView(id));
  }, 20_000);
});

/** Every key under a generation, with its content, keyed without the generation tag. */
async function snapshot(redis: Redis, keyPrefix: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
    for (const key of keys) {
      const name = key.slice(keyPrefix.length);
      const type = await redis.type(key);
      // Index entries inside a document name their generation's keys: compare without it.
      if (type === 'hash')
        out[name] = JSON.parse(
          JSON.stringify(await redis.hgetall(key)).replace(/\{g\d+\}/g, '{g}'),
        );
      else if (type === 'zset') out[name] = await redis.zrange(key, 0, -1);
      else if (type === 'set') out[name] = (await redis.smembers(key)).sort();
    }
    cursor = next;
  } while (cursor !== '0');
  return out;
}
