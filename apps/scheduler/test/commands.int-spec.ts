import { estimateJobCost, JobError } from '@ezlive/domain';
import { SPEC } from '@ezlive/domain/job/job.fixtures';
import { ROUTER_GROUP } from '@ezlive/infra';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { SchedulerWorld, waitFor } from './scheduler-harness';

jest.setTimeout(60_000);

describe('scheduler commands and intake hygiene (real Redis, real SQS-protocol server)', () => {
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

  const reserved = async () => (await world.schedulers[0].registry.liveWorkers(60_000))[0].reserved;

  it('stop before placement: the job never starts, its message is consumed', async () => {
    await world.worker('w1', 1000);
    await world.scheduler();
    const [id] = await world.createJobs(1, false);
    await world.run(id, { type: 'RequestStop', data: { reason: 'user' } });
    await world.send([id]);
    await waitFor('intake drained', async () => (await world.intake.depth('main')) === 0);
    const types = (await world.events(id)).map((e) => e.type);
    expect(types).toEqual(['JobCreated', 'StopRequested', 'JobStopped']);
    expect(world.workers[0].started).toEqual([]);
  });

  it('stop reaches the holder, which confirms; capacity is released; delete reaches it as cleanup', async () => {
    await world.worker('w1', 1000);
    await world.scheduler();
    const [id] = await world.createJobs(1);
    await waitFor('running', async () => (await world.state(id)).status === 'running');
    expect(await reserved()).toBe(estimateJobCost(SPEC));
    await world.run(id, { type: 'RequestStop', data: { reason: 'user' } });
    await waitFor('stopped', async () => (await world.state(id)).status === 'stopped');
    expect((await world.events(id)).at(-1)).toMatchObject({
      type: 'JobStopped',
      data: { reason: 'user' },
    });
    await waitFor('capacity released', async () => (await reserved()) === 0);
    await world.run(id, { type: 'DeleteJob', data: {} });
    await waitFor('the last holder cleans up', async () => world.workers[0].cleaned.includes(id));
  });

  it('deleting a job with an S3 destination whose holder is gone sends the cleanup to a live worker', async () => {
    const destination = { type: 's3' as const, bucket: 'media', prefix: 'live' };
    const spec = { ...SPEC, output: { ...SPEC.output, destination } };
    const holder = await world.worker('w1', 1000);
    await world.scheduler();
    const [id] = await world.createJobs(1, true, spec);
    await waitFor('running', async () => (await world.state(id)).status === 'running');
    await world.run(id, { type: 'RequestStop', data: { reason: 'user' } });
    await waitFor('stopped', async () => (await world.state(id)).status === 'stopped');
    await holder.stop(); // deregisters: no longer a member
    const other = await world.worker('w2', 1000);
    await world.run(id, { type: 'DeleteJob', data: {} });
    await waitFor('the live worker cleans up', async () => other.cleaned.includes(id));
    expect(other.cleanups).toEqual([{ jobId: id, workerId: 'w2', destination }]);
    expect(holder.cleaned).toEqual([]);
  });

  it('a stop requested while no scheduler routed it is re-sent by the reconciler', async () => {
    await world.worker('w1', 1000);
    const first = await world.scheduler();
    const [id] = await world.createJobs(1);
    await waitFor('running', async () => (await world.state(id)).status === 'running');
    await first.stop();
    world.schedulers.splice(0, 1);
    // A fresh deployment's router group starts at '$': the stop below is never routed.
    for (const p of world.es.keys.allPartitions())
      await world.redis.xgroup('DESTROY', p, ROUTER_GROUP);
    await world.run(id, { type: 'RequestStop', data: { reason: 'user' } });
    await world.scheduler();
    await waitFor('stopped', async () => (await world.state(id)).status === 'stopped', 15_000);
    const types = (await world.events(id)).map((e) => e.type);
    expect(types.slice(-3)).toEqual(['StopRequested', 'JobRepaired', 'JobStopped']);
    expect((await world.events(id)).at(-2)?.data).toEqual({
      action: 'stop-redispatched',
      reason: expect.stringContaining('stop not confirmed by w1'),
    });
  });

  it('resume places the job again (same id, new attempt); a second resume is refused and places nothing', async () => {
    await world.worker('w1', 1000);
    await world.worker('w2', 1000);
    await world.scheduler();
    const [id] = await world.createJobs(1);
    await waitFor('running', async () => (await world.state(id)).status === 'running');
    await world.run(id, { type: 'RequestStop', data: { reason: 'user' } });
    await waitFor('stopped', async () => (await world.state(id)).status === 'stopped');
    await world.run(id, { type: 'RequestResume', data: {} });
    await expect(world.run(id, { type: 'RequestResume', data: {} })).rejects.toMatchObject({
      code: 'JOB_NOT_RESUMABLE',
    } satisfies Partial<JobError>);
    await world.send([id]); // the API may also enqueue it: still one placement
    const s = await waitFor('running again', async () => {
      const st = await world.state(id);
      return st.status === 'running' && st.attempt === 2 && st;
    });
    expect(s.jobId).toBe(id);
    await waitFor('intake drained', async () => (await world.intake.depth('main')) === 0);
    const assigned = (await world.events(id)).filter((e) => e.type === 'JobAssigned');
    expect(assigned.map((e) => e.data.attempt)).toEqual([1, 2]);
  });

  it('poison messages (unparseable, unknown job) go to the dead-letter queue, not round and round', async () => {
    await world.scheduler();
    await world.sendRaw('not json');
    await world.sendRaw(JSON.stringify({ jobId: '01JABCDEFGHJKMNPQRSTVWXYZ0' }));
    await waitFor('both dead-lettered', async () => (await world.intake.depth('dlq')) === 2);
    expect(await world.intake.depth('main')).toBe(0);
  });
});
