import { workerStreamId } from '@ezlive/domain';
import { FencedLease } from '@ezlive/infra';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { SchedulerWorld, TIMING, waitFor } from './scheduler-harness';

jest.setTimeout(60_000);

/** Outcome bound for "reassigned within timeout + 2 s", with slack for a loaded 2-core box. */
const REASSIGN_BOUND_MS = TIMING.heartbeatTimeoutMs + 2000 + 4000;

describe('scheduler failure handling (real Redis, real SQS-protocol server)', () => {
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

  it('a worker that stops heartbeating is lost; each of its jobs is reassigned with attempt + 1 and runs elsewhere', async () => {
    const [w1] = [
      await world.worker('w1', 10_000),
      await world.worker('w2', 10_000),
      await world.worker('w3', 10_000),
    ];
    await world.scheduler('round-robin');
    const ids = await world.createJobs(12);
    await waitFor('all running', async () =>
      (await world.states(ids)).every((s) => s.status === 'running'),
    );
    const onW1 = [...w1.jobs.keys()];
    expect(onW1).toHaveLength(4);

    w1.stopHeartbeat();
    const moved = await waitFor(
      'w1 jobs running elsewhere',
      async () => {
        const states = await world.states(onW1);
        return (
          states.every((s) => s.status === 'running' && s.workerId !== 'w1' && s.attempt === 2) &&
          states
        );
      },
      REASSIGN_BOUND_MS,
    );
    expect(moved).toHaveLength(4);
    const lost = (await world.es.store.readStream(workerStreamId('w1'))).map((e) => e.type);
    expect(lost).toContain('WorkerLost');
    for (const id of onW1) {
      const reassigned = (await world.events(id)).find((e) => e.type === 'JobReassigned');
      expect(reassigned?.data).toEqual({
        fromWorkerId: 'w1',
        attempt: 1,
        reason: expect.stringContaining('lost'),
      });
    }
    // The zombie comes back: its heartbeat is refused, it rejoins empty, the jobs stay moved.
    w1.startHeartbeat();
    await waitFor(
      'w1 rejoined',
      async () => (await world.schedulers[0].registry.isMember('w1')) && w1.jobs.size === 0,
    );
    expect((await world.states(onW1)).every((s) => 'workerId' in s && s.workerId !== 'w1')).toBe(
      true,
    );
  });

  it('a job stopping on a worker that is lost is stopped, with the reason', async () => {
    const w1 = await world.worker('w1', 10_000);
    await world.scheduler();
    const [id] = await world.createJobs(1);
    await waitFor('running', async () => (await world.state(id)).status === 'running');
    await w1.crash(); // gone: no heartbeat, nobody takes the stop
    await world.run(id, { type: 'RequestStop', data: { reason: 'user' } });
    await waitFor(
      'stopped',
      async () => (await world.state(id)).status === 'stopped',
      REASSIGN_BOUND_MS,
    );
    expect((await world.events(id)).at(-1)).toMatchObject({
      type: 'JobStopped',
      data: { reason: 'worker w1 lost while stopping' },
    });
  });

  it('kill the detector lease holder: the other instance takes over and detects a lost worker', async () => {
    const a = await world.scheduler();
    const b = await world.scheduler();
    const w1 = await world.worker('w1', 10_000);
    await world.worker('w2', 10_000);
    const leader = await waitFor('a leader', async () =>
      [a, b].find((s) => s.status().detectorLeader),
    );
    const other = leader === a ? b : a;
    const firstToken = leader.detector.lease.heldToken;
    await leader.stop(false); // dies holding the lease
    world.schedulers.splice(world.schedulers.indexOf(leader), 1);
    await waitFor(
      'the other instance leads',
      async () => other.status().detectorLeader,
      TIMING.heartbeatTimeoutMs + 2000,
    );
    expect(other.detector.lease.heldToken).toBeGreaterThan(firstToken);

    const ids = await world.createJobs(4);
    await waitFor('running', async () =>
      (await world.states(ids)).every((s) => s.status === 'running'),
    );
    const onW1 = [...w1.jobs.keys()];
    w1.stopHeartbeat();
    await waitFor(
      'w1 jobs moved to w2',
      async () =>
        (await world.states(onW1)).every((s) => s.status === 'running' && s.workerId === 'w2'),
      REASSIGN_BOUND_MS,
    );
  });

  it('a stale lease holder cannot declare a worker lost (fencing)', async () => {
    const a = await world.scheduler();
    await world.worker('w1', 10_000);
    const w1 = world.workers[0];
    await waitFor('a leads', async () => a.status().detectorLeader);
    const impostor = new FencedLease(world.redis, a.registry.keys, 'detector', 'impostor', 1000);
    expect(await impostor.tryHold()).toBe(false);
    w1.stopHeartbeat();
    await new Promise((r) => setTimeout(r, TIMING.heartbeatTimeoutMs + 200));
    expect(await impostor.declareLost('w1', TIMING.heartbeatTimeoutMs)).toBeNull();
  });

  it('reconciler: an assigned job that never runs is reassigned with a reason; a created job never queued is re-sent', async () => {
    await world.worker('stuck', 10_000, false);
    await world.scheduler();
    const [id] = await world.createJobs(1);
    await waitFor(
      'assigned to the stuck worker',
      async () => (await world.state(id)).status === 'assigned',
    );
    await world.worker('good', 10_000);
    const s = await waitFor(
      'running on the good worker',
      async () => {
        const st = await world.state(id);
        return st.status === 'running' && st;
      },
      TIMING.assignTimeoutMs + 8000,
    );
    expect(s.workerId).toBe('good');
    const reassigned = (await world.events(id)).find((e) => e.type === 'JobReassigned');
    expect(reassigned?.data).toEqual({
      fromWorkerId: 'stuck',
      attempt: 1,
      reason: expect.stringContaining('not running within'),
    });

    const [unsent] = await world.createJobs(1, false);
    await waitFor(
      're-sent and placed',
      async () => (await world.state(unsent)).status === 'running',
      TIMING.resendAfterMs + 8000,
    );
    // The re-send is on the record, before the placement it caused, with its reason.
    const types = (await world.events(unsent)).map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['JobCreated', 'JobRepaired', 'JobQueued']);
    const repaired = (await world.events(unsent)).find((e) => e.type === 'JobRepaired');
    expect(repaired?.data).toEqual({
      action: 'intake-resent',
      reason: expect.stringContaining('not queued within'),
    });
    expect(repaired?.metadata.actor).toBe('reconciler');
  });
});
