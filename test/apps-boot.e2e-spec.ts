import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventSourcing } from '@ezlive/infra';
import { freePort } from './support/ports';
import { TEST_REDIS_URL, dropPrefix, testRedis, uniquePrefix } from './support/redis';

const root = join(__dirname, '..');
const APPS = ['api', 'scheduler', 'worker'] as const;
const mainOf = (app: string) => join(root, 'dist/apps', app, 'src/main.js');

function start(
  app: string,
  env: Record<string, string>,
): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [mainOf(app)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  return { child, output: () => output };
}

function exited(
  child: ChildProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve({ code: child.exitCode, signal: child.signalCode });
    const timer = setTimeout(
      () => reject(new Error(`process ${child.pid} still running after ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

async function waitForHealth(port: number, timeoutMs = 20_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.ok) return res;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no healthy answer on port ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

jest.setTimeout(60_000);

describe('the three apps (compiled, real processes, real Redis)', () => {
  const prefix = uniquePrefix('boot');

  beforeAll(() => {
    if (!APPS.every((a) => existsSync(mainOf(a)))) {
      const r = spawnSync('npx', ['nest', 'build'], { cwd: root, stdio: 'inherit' });
      if (r.status !== 0) throw new Error('build failed');
    }
  });
  afterAll(async () => {
    const redis = testRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });

  it.each(APPS)('%s boots, answers /health, and exits cleanly on SIGTERM', async (app) => {
    const port = await freePort();
    const worker: Record<string, string> =
      app === 'worker'
        ? {
            RTMP_PORT: String(await freePort()),
            WORKER_ID: 'boot-test',
            WORKER_LABELS: 'zone=test-a,tier=cpu',
            MEDIA_DIR: join(tmpdir(), `ezlive-boot-${process.pid}`),
            RUN_DIR: join(tmpdir(), `ezlive-boot-run-${process.pid}`),
          }
        : {};
    const { child, output } = start(app, {
      [`${app.toUpperCase()}_PORT`]: String(port),
      REDIS_URL: TEST_REDIS_URL,
      EZ_KEY_PREFIX: prefix,
      EZ_PARTITIONS: '4',
      ...worker,
    });
    try {
      const res = await waitForHealth(port);
      expect(await res.json()).toEqual({ status: 'ok', app, redis: 'up' });
      expect(await (await fetch(`http://127.0.0.1:${port}/health/live`)).json()).toEqual({
        status: 'ok',
        app,
      });
    } finally {
      child.kill('SIGTERM');
    }
    // Exiting at all proves no connection, timer or loop was left holding the process.
    const { code, signal } = await exited(child, 8_000);
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    expect(output()).toContain(`${app} listening`);
    if (app === 'worker') {
      // Registered on start; on SIGTERM drained and left the membership.
      const redis = testRedis();
      const es = new EventSourcing(redis, { prefix, partitions: 4 });
      const history = await es.store.readStream('worker-boot-test');
      redis.disconnect();
      expect(history.map((e) => e.type)).toEqual([
        'WorkerRegistered',
        'WorkerDraining',
        'WorkerDeregistered',
      ]);
      // It registered with its configured labels and the package's version.
      const version = (
        JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
      expect((history[0].data as { info: object }).info).toMatchObject({
        labels: { zone: 'test-a', tier: 'cpu' },
        version,
      });
    }
  });

  it('refuses to start on a bad setting, naming it', async () => {
    const { child, output } = start('api', { API_PORT: 'eighty', REDIS_URL: TEST_REDIS_URL });
    const { code } = await exited(child, 10_000);
    expect(code).toBe(2);
    expect(output()).toMatch(/API_PORT/);
  });
});
