import { Queue } from 'bullmq';
import {
  bullPrefix,
  createRedis,
  workJobId,
  workQueueName,
  type WorkPayloads,
} from '@ezlive/infra';
import {
  dropPrefix,
  testRedis,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../../../../test/support/redis';
import { MissingHandlerError, WorkProcessor, type WorkHandlers } from './work.processor';

describe('WorkProcessor (real Redis, BullMQ)', () => {
  const noop = async () => undefined;

  it('refuses to boot when a job name has no handler, or an unknown one is given', () => {
    const redis = testRedis();
    expect(
      () =>
        new WorkProcessor(
          redis,
          'p',
          'w1',
          { 'job.start': noop, 'job.stop': noop } as unknown as WorkHandlers,
          () => undefined,
        ),
    ).toThrow(MissingHandlerError);
    expect(
      () =>
        new WorkProcessor(
          redis,
          'p',
          'w1',
          {
            'job.start': noop,
            'job.stop': noop,
            'job.cleanup': noop,
            'job.bogus': noop,
          } as unknown as WorkHandlers,
          () => undefined,
        ),
    ).toThrow(/unknown \[job.bogus\]/);
    redis.disconnect();
  });

  it('delivers typed work once per deterministic id, even when added twice', async () => {
    const prefix = uniquePrefix('work');
    const connection = createRedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    const seen: Array<WorkPayloads['job.start']> = [];
    let resolveTwo!: () => void;
    const two = new Promise<void>((r) => (resolveTwo = r));
    const processor = new WorkProcessor(
      connection,
      prefix,
      'w1',
      {
        'job.start': async (p) => {
          seen.push(p);
          if (seen.length === 2) resolveTwo();
        },
        'job.stop': noop,
        'job.cleanup': noop,
      },
      () => undefined,
    );
    processor.start();
    const queue = new Queue(workQueueName('w1'), { connection, prefix: bullPrefix(prefix) });
    const a = { jobId: '01JAAAAAAAAAAAAAAAAAAAAAAA', attempt: 1, workerId: 'w1' };
    const b = { ...a, attempt: 2 };
    for (const p of [a, a, b, b])
      await queue.add('job.start', p, { jobId: workJobId('job.start', p) });
    await two;
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would arrive right behind
    expect(seen).toEqual([a, b]);
    await processor.close();
    await queue.close();
    const redis = testRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    connection.disconnect();
  });
});
