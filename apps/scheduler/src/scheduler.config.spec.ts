import { loadSchedulerConfig, SCHEDULER_ENV } from './scheduler.config';

describe('scheduler config', () => {
  it('given no settings, then the documented defaults', () => {
    const c = loadSchedulerConfig({});
    expect(c).toMatchObject({
      strategy: 'least-loaded',
      heartbeatTimeoutMs: 6000,
      sqsWaitSeconds: 20,
      sqs: { region: 'us-east-1', queueName: 'ezlive-intake' },
    });
    expect(c.sqs).not.toHaveProperty('endpoint');
    expect(c.sqs).not.toHaveProperty('credentials');
  });

  it('given an endpoint and static credentials, then both reach the SQS options', () => {
    const c = loadSchedulerConfig({
      SQS_ENDPOINT: 'http://127.0.0.1:4566',
      AWS_ACCESS_KEY_ID: 'k',
      AWS_SECRET_ACCESS_KEY: 's',
      PLACEMENT_STRATEGY: 'bin-pack',
    });
    expect(c.sqs).toEqual({
      endpoint: 'http://127.0.0.1:4566',
      region: 'us-east-1',
      queueName: 'ezlive-intake',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    });
    expect(c.strategy).toBe('bin-pack');
  });

  it.each([
    [{ PLACEMENT_STRATEGY: 'fastest' }, /PLACEMENT_STRATEGY/],
    [{ SQS_ENDPOINT: 'localhost:4566' }, /SQS_ENDPOINT/],
    [{ SQS_WAIT_SECONDS: '30' }, /SQS_WAIT_SECONDS/],
    [{ HEARTBEAT_TIMEOUT_MS: '50' }, /HEARTBEAT_TIMEOUT_MS/],
  ])('refuses %p, naming the variable', (env, name) => {
    expect(() => loadSchedulerConfig(env)).toThrow(name);
  });

  it('describes every setting (the README table is derived from these)', () => {
    for (const spec of Object.values(SCHEDULER_ENV))
      expect((spec as { desc?: string }).desc).toBeTruthy();
  });
});
