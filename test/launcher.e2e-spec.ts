import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAUNCHER, processesOf, startStack, type Stack } from './support/stack';

jest.setTimeout(180_000);

/** Polls `probe` every 250 ms, at most `timeoutMs`. */
async function until<T>(what: string, probe: () => T | null | false, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('npm start as a user runs it (scripts/start.js)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ args: ['--demo'] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('--demo creates a sample channel and publishes a test pattern that becomes playable HLS', async () => {
    const line = await until('the demo line', () =>
      /demo: job (\w+) is receiving a test pattern/.exec(stack.output()),
    );
    const jobDir = join(stack.mediaDir, line[1]);
    const playlist = await until(
      'two segments in every rendition',
      () => {
        if (!existsSync(join(jobDir, 'master.m3u8'))) return false;
        const renditions = readdirSync(jobDir).filter((d) =>
          existsSync(join(jobDir, d, 'index.m3u8')),
        );
        const texts = renditions.map((d) => readFileSync(join(jobDir, d, 'index.m3u8'), 'utf8'));
        return (
          renditions.length === 3 &&
          texts.every((t) => t.split('\n').filter((l) => l.startsWith('#EXTINF')).length >= 2) &&
          texts[0]
        );
      },
      90_000,
    );
    expect(playlist).toContain('#EXT-X-MAP');
    expect(readFileSync(join(jobDir, 'master.m3u8'), 'utf8')).toMatch(/RESOLUTION=1280x720/);
  });

  it('prints URLs, the key and a curl that work as printed', async () => {
    const out = stack.output();
    const field = (label: string) =>
      new RegExp(`${label} \\.+ (\\S+)`).exec(out)?.[1] ?? `no '${label}' line`;
    const local = (url: string) => url.replace('//localhost:', '//127.0.0.1:');
    const ui = await fetch(local(field('UI')));
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<html');
    expect((await fetch(local(field('API docs')))).status).toBe(200);
    const key = field('API key');
    // The "Create a channel" curl, run exactly as printed (it spans two lines).
    const curl = /^ {4}(curl -s -X POST .*\\\n.*)$/m.exec(out)?.[1];
    expect(curl).toContain(`Bearer ${key}`);
    const created = spawnSync('bash', ['-c', curl!], { encoding: 'utf8', timeout: 30_000 });
    const job = JSON.parse(created.stdout) as { id: string };
    expect(job.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(out).toMatch(/OBS: Server = rtmp:\/\/localhost:\d+\/live, Stream Key = the key/);
  });

  it('a second npm start while one runs says so and exits, without touching the first', () => {
    const second = spawnSync(process.execPath, [LAUNCHER], {
      env: stack.env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(
      `ezlive is already running (npm start, pid ${stack.child.pid})`,
    );
    expect(stack.child.exitCode).toBeNull();
  });

  it('a launcher killed with SIGKILL leaves no process behind: apps, SQS server, FFmpeg all exit', async () => {
    const before = processesOf(stack.stateDir);
    // launcher, tethers, api, scheduler, worker, SQS server, the demo publisher and the job's FFmpeg
    expect(before.length).toBeGreaterThanOrEqual(10);
    stack.child.kill('SIGKILL');
    // Workers drain their FFmpeg on the way out; the tethers' SIGKILL backstop is 15 s.
    const deadline = Date.now() + 25_000;
    while (processesOf(stack.stateDir).length > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 250));
    expect(processesOf(stack.stateDir)).toEqual([]);
  });
});
