import { estimateJobCost, type JobState } from '@ezlive/domain';
import { SPEC } from '@ezlive/domain/job/job.fixtures';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { SchedulerWorld, waitFor } from './scheduler-harness';

jest.setTimeout(90_000);

const COST = estimateJobCost(SPEC);

describe('scheduler capacity and concurrency (real Redis, real SQS-protocol server)', () => {
  let sqs: SqsServer;
  let world: SchedulerWorld;

  beforeAll(async () => {
    sqs = await startSqsServer();
  });
  afterAll(async () => {
    await sqs.stop();
  });
  beforeEach(async () => {
    world = await new SchedulerWorld(sqs).init();
  });
  afterEach(async () => {
    await world.close();
  });

  /** Sum of the costs of the attempts currently held per worker, from the job streams. */
  function loadByWorker(states: JobState[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of states) if ('workerId' in s) out[s.workerId] = (out[s.workerId] ?? 0) + COST;
    return out;
  }

  it('500 concurrent creates on two schedulers never exceed any worker; the rest wait, then the oldest are placed when a worker appears', async () => {
    const perWorker = 10;
    const capacity = perWorker * COST + Math.floor(COST / 2);
    for (let i = 1; i <= 10; i++) await world.worker(`w${i}`, capacity);
    await world.scheduler('least-loaded');
    await world.scheduler('bin-pack');
    const ids = await world.createJobs(500);

    const settled = await waitFor(
      'every job assigned or waiting',
      async () => {
        const states = await world.states(ids);
        return (
          states.every((s) => s.status === 'running' || s.status === 'awaiting_capacity') && states
        );
      },
      60_000,
    );
    const placed = settled.filter((s) => s.status === 'running');
    expect(placed).toHaveLength(100);
    for (const load of Object.values(loadByWorker(settled)))
      expect(load).toBeLessThanOrEqual(capacity);
    for (const w of await world.schedulers[0].registry.liveWorkers(10_000))
      expect(w.reserved).toBeLessThanOrEqual(w.capacity);

    const waiting = ids.filter((_, i) => settled[i].status === 'awaiting_capacity').sort();
    await world.worker('w11', capacity);
    const after = await waitFor(
      'the new worker filled',
      async () => {
        const states = await world.states(waiting);
        return states.filter((s) => s.status === 'running').length === perWorker && states;
      },
      20_000,
    );
    const newlyPlaced = waiting.filter((_, i) => after[i].status === 'running');
    expect(newlyPlaced).toEqual(waiting.slice(0, perWorker)); // oldest first
    expect(
      new Set(after.filter((s) => 'workerId' in s).map((s) => 'workerId' in s && s.workerId)),
    ).toEqual(new Set(['w11']));
  });

  it('two scheduler instances over 500 jobs, every message sent twice: each job assigned and started exactly once', async () => {
    for (let i = 1; i <= 10; i++) await world.worker(`w${i}`, 100 * COST);
    await world.scheduler('least-loaded');
    await world.scheduler('least-loaded');
    const ids = await world.createJobs(500);
    await world.send(ids); // duplicates
    await waitFor(
      'every job running',
      async () => (await world.states(ids)).every((s) => s.status === 'running'),
      60_000,
    );
    await waitFor('intake drained', async () => (await world.intake.depth('main')) === 0, 20_000);
    for (const id of ids) {
      const assigned = (await world.events(id)).filter((e) => e.type === 'JobAssigned');
      expect(assigned.map((e) => e.data)).toEqual([{ workerId: expect.any(String), attempt: 1 }]);
    }
    const starts = world.workers.flatMap((w) => w.started.map((s) => `${s.jobId}:${s.attempt}`));
    // BullMQ is at-least-once (a stalled job runs again); the worker's report is idempotent,
    // so what matters is that every job started on exactly its one attempt.
    expect(new Set(starts)).toEqual(new Set(ids.map((id) => `${id}:1`)));
    expect(world.schedulers.every((s) => s.status().sqs === 'up')).toBe(true);
  });

  it('a job waiting for capacity is placed as soon as a worker registers', async () => {
    await world.scheduler();
    const [id] = await world.createJobs(1);
    await waitFor(
      'awaiting capacity',
      async () => (await world.state(id)).status === 'awaiting_capacity',
    );
    const reason = (await world.events(id)).find((e) => e.type === 'JobAwaitingCapacity');
    expect(reason?.data).toEqual({ cost: COST, reason: expect.stringContaining('no live worker') });
    await world.worker('late', 10 * COST);
    const s = await waitFor('running on the new worker', async () => {
      const st = await world.state(id);
      return st.status === 'running' && st;
    });
    expect('workerId' in s && s.workerId).toBe('late');
  });

  it('capacity freed by a stop places the oldest waiting job on that worker, then the next', async () => {
    await world.worker('only', 2 * COST);
    await world.scheduler();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      // One at a time, so "oldest" is well defined.
      ids.push(...(await world.createJobs(1)));
      await waitFor(`job ${i} placed or waiting`, async () =>
        ['running', 'awaiting_capacity'].includes((await world.state(ids[i])).status),
      );
    }
    const status = async () => (await world.states(ids)).map((s) => s.status);
    expect(await status()).toEqual([
      'running',
      'running',
      'awaiting_capacity',
      'awaiting_capacity',
    ]);

    await world.run(ids[0], { type: 'RequestStop', data: { reason: 'user' } });
    await waitFor('the oldest waiting job placed', async () => {
      const s = await status();
      return s[0] === 'stopped' && s[2] === 'running';
    });
    expect(await status()).toEqual(['stopped', 'running', 'running', 'awaiting_capacity']);
    const assigned = (await world.events(ids[2])).find((e) => e.type === 'JobAssigned');
    expect(assigned?.data).toMatchObject({ workerId: 'only' });

    await world.run(ids[1], { type: 'RequestStop', data: { reason: 'user' } });
    await waitFor('the next one placed', async () => (await status())[3] === 'running');
    expect(await status()).toEqual(['stopped', 'stopped', 'running', 'running']);
  });

  it('a redelivered message for an assigned job adds no placement and no second BullMQ job', async () => {
    await world.worker('w1', 10 * COST, false); // takes no work: the job stays assigned
    await world.scheduler();
    const [id] = await world.createJobs(1);
    await waitFor('assigned', async () => (await world.state(id)).status === 'assigned');
    await world.send([id, id]);
    await waitFor('intake drained', async () => (await world.intake.depth('main')) === 0);
    expect((await world.events(id)).filter((e) => e.type === 'JobAssigned')).toHaveLength(1);
    const { Queue } = await import('bullmq');
    // BullMQ never closes a connection it was handed, so the test owns and closes this one.
    const connection = world.redis.duplicate();
    const q = new Queue('work-w1', { connection, prefix: `${world.prefix}:bull` });
    expect(await q.getJobCounts('waiting')).toEqual({ waiting: 1 });
    await q.close();
    connection.disconnect();
  });
});
