import type { Redis } from 'ioredis';
import { handleCommand, jobDecider, jobStreamId, type JobCommand } from '@ezlive/domain';
import { SPEC } from '@ezlive/domain/job/job.fixtures';
import {
  dropPrefix,
  testRedis,
  TEST_REDIS_URL,
  uniquePrefix,
} from '../../../../test/support/redis';
import { commandContext, newId } from '../context/command-context';
import { EventSourcing } from '../event-sourcing';
import { runCli } from './ezlive-cli';

describe('ezlive CLI (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let es: EventSourcing;
  const saved = { ...process.env };

  beforeEach(() => {
    redis = testRedis();
    prefix = uniquePrefix('cli');
    es = new EventSourcing(redis, { prefix, partitions: 4 });
    Object.assign(process.env, {
      REDIS_URL: TEST_REDIS_URL,
      EZ_KEY_PREFIX: prefix,
      EZ_PARTITIONS: '4',
    });
  });
  afterEach(async () => {
    process.env = { ...saved };
    await es.stopProjections();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      argv,
      (s) => out.push(s),
      (s) => err.push(s),
    );
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('replays a job as a timeline and time-travels by version and by time', async () => {
    const jobId = newId();
    const times = [
      '2026-01-01T10:00:00.000Z',
      '2026-01-01T10:00:01.000Z',
      '2026-01-01T10:00:02.000Z',
    ];
    const commands: JobCommand[] = [
      { type: 'CreateJob', data: { jobId, spec: SPEC, warnings: [], streamKeyFingerprint: 'f' } },
      { type: 'QueueJob', data: { cost: 2 } },
      { type: 'AssignJob', data: { workerId: 'w7' } },
    ];
    for (const [i, c] of commands.entries()) {
      await handleCommand(
        es.store,
        jobStreamId(jobId),
        jobDecider,
        c,
        commandContext('scheduler', {}, () => new Date(times[i])),
        { metadata: { jobId } },
      );
    }
    const all = await capture(['replay', jobId]);
    expect(all.code).toBe(0);
    expect(all.out).toMatch(/v1 .*JobCreated/);
    expect(all.out).toMatch(/v3 .*JobAssigned .*"workerId":"w7"/);
    expect(all.out).toContain('state at v3: assigned on w7 (attempt 1)');

    const v2 = await capture(['replay', jobId, '--version', '2']);
    expect(v2.out).toContain('state at v2: queued');
    expect(v2.out).not.toContain('JobAssigned');

    const at = await capture(['replay', jobId, '--at', '2026-01-01T10:00:00.500Z', '--json']);
    expect(JSON.parse(at.out)).toMatchObject({ version: 1, state: { status: 'created', jobId } });
  });

  it('fails with a clear message for bad input', async () => {
    expect(await capture(['replay', '../etc/passwd'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('is not a job id'),
    });
    expect(await capture(['replay', newId()])).toMatchObject({
      code: 1,
      err: expect.stringContaining('not found'),
    });
    expect(await capture(['replay', newId(), '--version', 'x'])).toMatchObject({ code: 2 });
    expect(await capture(['frobnicate'])).toMatchObject({
      code: 2,
      err: expect.stringContaining('usage'),
    });
  });

  it('rebuilds projections and reports status', async () => {
    const jobId = newId();
    await handleCommand(
      es.store,
      jobStreamId(jobId),
      jobDecider,
      { type: 'CreateJob', data: { jobId, spec: SPEC, warnings: [], streamKeyFingerprint: 'f' } },
      commandContext('api'),
      { metadata: { jobId } },
    );
    const r = await capture(['projections', 'rebuild']);
    expect(r).toMatchObject({
      code: 0,
      out: expect.stringMatching(/rebuilt generation 1 \(was 0\): 1 events, 1 documents/),
    });
    expect(await es.readModels.get('job-view', jobId)).toMatchObject({ jobId, state: 'created' });
  });
});
