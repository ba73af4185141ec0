import type { FfmpegExit } from './exit-classifier';
import { RestartPolicy } from './restart-policy';

const crash: FfmpegExit = { kind: 'error', code: 1, signal: null, stderrTail: ['[error] boom'] };

describe('RestartPolicy', () => {
  it('backs off exponentially up to the cap, with jitter from the injected source', () => {
    const randoms = [0.5, 0, 0.999999, 0.5, 0.5];
    const policy = new RestartPolicy({
      initialDelayMs: 1000,
      factor: 2,
      maxDelayMs: 5000,
      jitter: 0.2,
      maxAttempts: 5,
      random: () => randoms.shift() ?? 0.5,
    });
    const delays = [0, 1, 2, 3, 4].map((i) => policy.onFailure(crash, i * 1000));
    expect(delays).toEqual([
      { action: 'restart', attempt: 1, delayMs: 1000 },
      { action: 'restart', attempt: 2, delayMs: 1600 },
      { action: 'restart', attempt: 3, delayMs: 4800 },
      { action: 'restart', attempt: 4, delayMs: 5000 },
      { action: 'restart', attempt: 5, delayMs: 5000 },
    ]);
  });

  it('gives up past the budget with a typed error carrying the last stderr lines', () => {
    const policy = new RestartPolicy({ maxAttempts: 2, windowMs: 60_000, random: () => 0.5 });
    policy.onFailure(crash, 0);
    policy.onFailure(crash, 1000);
    const d = policy.onFailure(crash, 2000);
    expect(d.action).toBe('give-up');
    if (d.action !== 'give-up') throw new Error('unreachable');
    expect(d.error.code).toBe('RESTART_BUDGET_EXHAUSTED');
    expect(d.error.stderrTail).toEqual(['[error] boom']);
  });

  it('failures older than the window no longer count', () => {
    const policy = new RestartPolicy({ maxAttempts: 2, windowMs: 60_000, random: () => 0.5 });
    policy.onFailure(crash, 0);
    policy.onFailure(crash, 1000);
    expect(policy.onFailure(crash, 60_500)).toMatchObject({ action: 'restart', attempt: 2 });
  });

  it('reset forgets failures', () => {
    const policy = new RestartPolicy({ maxAttempts: 1, random: () => 0.5 });
    policy.onFailure(crash, 0);
    policy.reset();
    expect(policy.onFailure(crash, 1)).toMatchObject({
      action: 'restart',
      attempt: 1,
      delayMs: 1000,
    });
  });
});
