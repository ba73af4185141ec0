import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { dropPrefix, testRedis, TEST_REDIS_URL, uniquePrefix } from './redis';

export interface Stack {
  api: string;
  apiKey: string;
  /** The launcher's state directory (every process of the stack has it in its environment). */
  stateDir: string;
  /** The launcher's environment, to start a second launcher against the same stack. */
  env: NodeJS.ProcessEnv;
  rtmpPort: number;
  mediaDir: string;
  prefix: string;
  /** Everything the launcher printed. */
  output(): string;
  /** Ctrl-C, as a user would; resolves with the launcher's exit code. */
  stop(): Promise<number | null>;
  child: ChildProcess;
}

export const LAUNCHER = join(__dirname, '../../scripts/start.js');

/**
 * Pids of live processes whose environment holds `EZ_STATE_DIR=<stateDir>`: the launcher and
 * everything it started, down to FFmpeg (environments are inherited).
 */
export function processesOf(stateDir: string): number[] {
  const marker = `EZ_STATE_DIR=${stateDir}\0`;
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && Number(d) !== process.pid)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8').includes(marker);
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

/**
 * The whole system through the users' own launcher (`node scripts/start.js`), on free
 * ports, a private state/media directory and a unique Redis key prefix, so tests never
 * collide with each other or with a developer's running stack.
 */
export async function startStack(
  options: { workers?: number; env?: Record<string, string>; args?: string[] } = {},
): Promise<Stack> {
  const [apiPort, schedulerPort, workerPort, rtmpPort, sqsPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const state = mkdtempSync(join(tmpdir(), 'ezlive-stack-'));
  const prefix = uniquePrefix('stack');
  const apiKey = `test-${prefix}`;
  const env = {
    ...process.env,
    API_PORT: String(apiPort),
    SCHEDULER_PORT: String(schedulerPort),
    WORKER_PORT: String(workerPort),
    RTMP_PORT: String(rtmpPort),
    SQS_PORT: String(sqsPort),
    EZ_STATE_DIR: state,
    MEDIA_DIR: join(state, 'media'),
    REDIS_URL: TEST_REDIS_URL,
    EZ_KEY_PREFIX: prefix,
    EZ_WORKERS: String(options.workers ?? 1),
    API_KEYS: `${apiKey}:admin`,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const child = spawn(process.execPath, [LAUNCHER, ...(options.args ?? [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const deadline = Date.now() + 120_000; // includes a first `nest build`
  while (!out.includes('ezlive is running')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGINT');
      throw new Error(`the stack did not start:\n${out.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    api: `http://127.0.0.1:${apiPort}`,
    apiKey,
    stateDir: state,
    env,
    rtmpPort,
    mediaDir: env.MEDIA_DIR,
    prefix,
    output: () => out,
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      const code = await exited;
      const redis = testRedis();
      await dropPrefix(redis, prefix);
      redis.disconnect();
      rmSync(state, { recursive: true, force: true });
      return code;
    },
  };
}
