import { estimateJobCost, type JobState } from '@ezlive/domain';
import { SPEC } from '@ezlive/domain/job/job.fixtures';
import { startSqsServer, type SqsServer } from '../../../test/support/sqs';
import { SchedulerWorld, waitFor } from './scheduler-harness';

jest.setTimeout(60_000);

const COST = estimateJobCost(SPEC);
const holder = (s: JobState) => ('workerId' in s ? s.workerId : null);
const countBy = (ids: (string | null)[]) =>
  ids.reduce<Record<string, number>>((m, id) => ((m[id ?? '-'] = (m[id ?? '-'] ?? 0) + 1), m), {});

describe('scheduler placement (real Redis, real SQS-protocol server, simulated BullMQ workers)', () => {
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

  async function allRunning(ids: string[]) {
    return waitFor('every job running', async () => {
      const states = await world.states(ids);
      return states.every((s) => s.status === 'running') && states;
    });
  }

  it('least-loaded spreads 40 jobs evenly over 4 workers; every message is deleted', async () => {
    for (const id of ['w1', 'w2', 'w3', 'w4']) await world.worker(id, 1000);
    await world.scheduler('least-loaded');
    const ids = await world.createJobs(40);
    const counts = Object.values(countBy((await allRunning(ids)).map(holder)));
    expect(counts).toHaveLength(4);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(2);
    await waitFor('intake queue empty', async () => (await world.intake.depth('main')) === 0);
  });

  it('round-robin takes turns: 40 jobs → exactly 10 per worker', async () => {
    for (const id of ['w1', 'w2', 'w3', 'w4']) await world.worker(id, 1000);
    await world.scheduler('round-robin');
    const ids = await world.createJobs(40);
    expect(countBy((await allRunning(ids)).map(holder))).toEqual({
      w1: 10,
      w2: 10,
      w3: 10,
      w4: 10,
    });
  });

  it('bin-pack fills workers one after another', async () => {
    const fitPerWorker = Math.floor(100 / COST);
    for (const id of ['w1', 'w2', 'w3', 'w4']) await world.worker(id, 100);
    await world.scheduler('bin-pack');
    const ids = await world.createJobs(fitPerWorker * 2);
    const counts = countBy((await allRunning(ids)).map(holder));
    expect(Object.values(counts)).toEqual([fitPerWorker, fitPerWorker]);
  });

  it('random uses every worker and never overfills one', async () => {
    for (const id of ['w1', 'w2', 'w3', 'w4']) await world.worker(id, 20 * COST);
    await world.scheduler('random');
    const ids = await world.createJobs(40);
    const counts = countBy((await allRunning(ids)).map(holder));
    expect(Object.keys(counts).sort()).toEqual(['w1', 'w2', 'w3', 'w4']);
    expect(Math.max(...Object.values(counts))).toBeLessThanOrEqual(20);
  });
});
