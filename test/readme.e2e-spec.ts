import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processesOf } from './support/stack';

jest.setTimeout(360_000);

const ROOT = join(__dirname, '..');

/** The first ```bash block after a README heading, as written. */
function readmeBlock(heading: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`README.md has no '${heading}' section`);
  const m = /```bash\n([\s\S]*?)```/.exec(readme.slice(at));
  if (!m) throw new Error(`no bash block under '${heading}'`);
  return m[1];
}

/** The program a pid runs, e.g. `redis-server`, `ffmpeg`, `node` ('' once it exited). */
function comm(pid: number): string {
  try {
    // redis-server retitles itself ("redis-server 127.0.0.1:port"): the first word names it.
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().split(' ')[0];
  } catch {
    return '';
  }
}

/**
 * Pids in the network namespace `netns` (as `readlink /proc/<pid>/ns/net` names it), except
 * the process group `exceptGroup`: everything the launcher started lives there, whatever
 * its environment says (redis-server overwrites its own, so an environment marker misses it).
 */
function inNamespace(netns: string, exceptGroup = -1): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        if (readlinkSync(`/proc/${pid}/ns/net`) !== netns) return false;
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
        return pgrp !== exceptGroup;
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

async function until<T>(what: string, probe: () => T | null | false, ms: number, log = () => '') {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The README as a new user meets it, on a machine with no Redis and nothing on the default
 * ports: a private network namespace (root's `unshare --net`, loopback only) gives exactly
 * that beside the machine's own Redis and any other stack. In it, the quick start's
 * `npm start` line runs as written, then the "Your first channel" block as written with the
 * key `npm start` printed, then Ctrl-C — and nothing it started may outlive it.
 */
describe('README quick start and "Your first channel", run literally on a machine without Redis', () => {
  let dir: string;
  let launcher: ChildProcess;
  let out = '';
  let exited: Promise<number | null>;
  /** The private network namespace the launcher runs in. */
  let netns: string;
  /** The README's publishing shell; it runs until the stack is stopped. */
  let shell: ChildProcess | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ezlive-readme-'));
    symlinkSync(join(ROOT, 'docs'), join(dir, 'docs'));
  });
  afterAll(() => {
    // Only what a failed test left running; the happy path stopped both already.
    const running = (c?: ChildProcess) => c?.pid && c.exitCode === null && c.signalCode === null;
    if (running(shell)) process.kill(-shell!.pid!, 'SIGTERM');
    if (running(launcher)) process.kill(-launcher.pid!, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs argv inside the launcher's network namespace. */
  const inside = (pid: number, argv: string[]) => ['nsenter', `--net=/proc/${pid}/ns/net`, ...argv];

  it('`npm start` as written brings the stack up on the default ports with a private redis-server', async () => {
    const line = readmeBlock('## Quick start')
      .split('\n')
      .find((l) => l.startsWith('npm start'));
    expect(line).toBeDefined();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      // Only where the launcher keeps its lock and media: away from a developer's checkout.
      EZ_STATE_DIR: join(dir, 'state'),
      MEDIA_DIR: join(dir, 'media'),
      LOG_LEVEL: 'warn',
    };
    // Nothing of the test's own configuration leaks in: a new user has none of it.
    for (const name of ['REDIS_URL', 'API_KEYS', 'SQS_ENDPOINT', 'API_PORT', 'RTMP_PORT'])
      delete env[name];
    launcher = spawn('unshare', ['--net', '--', 'bash', '-c', `ip link set lo up && ${line}`], {
      cwd: ROOT,
      env,
      detached: true, // its own process group: the terminal a Ctrl-C goes to
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    launcher.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    exited = new Promise((resolve) => launcher.once('exit', (code) => resolve(code)));
    await until(
      'ezlive is running',
      () => out.includes('ezlive is running') || launcher.exitCode !== null,
      180_000,
      () => out.slice(-3000),
    );
    expect({ exit: launcher.exitCode, tail: out.slice(-300) }).toEqual({
      exit: null,
      tail: expect.any(String),
    });
    expect(out).toMatch(/started a private redis-server at redis:\/\/127\.0\.0\.1:\d+/);
    expect(out).toMatch(/UI \.+ http:\/\/localhost:8080\//);
    netns = readlinkSync(`/proc/${launcher.pid}/ns/net`);
    expect(netns).not.toBe(readlinkSync('/proc/self/ns/net'));
    expect(inNamespace(netns).map(comm)).toContain('redis-server');
  });

  it('"Your first channel" as written reaches a playable 3-rendition stream', async () => {
    expect(launcher.exitCode).toBeNull();
    const key = /API key \.+ (\S+)/.exec(out)?.[1];
    expect(key).toMatch(/^dev-[0-9a-f]{24}$/);
    const lines = readmeBlock('## Your first channel').split('\n');
    // The one thing a reader edits: the key their `npm start` printed.
    expect(lines[0]).toMatch(/^KEY=\S+ API=http:\/\/localhost:8080$/);
    const script = [lines[0].replace(/^KEY=\S+/, `KEY=${key}`), ...lines.slice(1)].join('\n');
    const [cmd, ...argv] = inside(launcher.pid!, ['bash', '-e', '-c', script]);
    const publishing = spawn(cmd, argv, {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    shell = publishing;
    let said = '';
    publishing.stdout!.on('data', (d: Buffer) => (said += d.toString()));
    publishing.stderr!.on('data', (d: Buffer) => (said += d.toString()));
    type Stream = { codec_type: string; width?: number; height?: number };
    let probed: Stream[] = [];
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && publishing.exitCode === null) {
      try {
        const job = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8')) as {
          playback: { hls: string };
        };
        const [p, ...pargs] = inside(launcher.pid!, [
          'ffprobe',
          ...['-v', 'error', '-show_streams', '-of', 'json', job.playback.hls],
        ]);
        probed = (
          JSON.parse(execFileSync(p, pargs, { timeout: 20_000, stdio: 'pipe' }).toString()) as {
            streams: Stream[];
          }
        ).streams;
        if (probed.filter((s) => s.codec_type === 'video').length === 3) break;
      } catch {
        // not created or not playable yet
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect({ exited: publishing.exitCode, said: said.slice(-500) }).toEqual({
      exited: null,
      said: expect.any(String),
    });
    const videos = probed
      .filter((s) => s.codec_type === 'video')
      .map((s) => `${s.width}x${s.height}`)
      .sort();
    // On a miss the stack's own log (warnings and errors) is in the failure, to say why.
    expect({ videos, log: videos.length === 3 ? '' : out.slice(-4000) }).toEqual({
      videos: ['1280x720', '426x240', '854x480'],
      log: '',
    });
    expect(probed.some((s) => s.codec_type === 'audio')).toBe(true);
  });

  it('Ctrl-C stops everything: apps, the SQS server, the private redis-server and FFmpeg', async () => {
    const stateDir = join(dir, 'state');
    const publisherGroup = shell!.pid!;
    const before = inNamespace(netns, publisherGroup).map(comm);
    // redis-server, the SQS server and the apps (node), the worker's FFmpeg.
    expect(before).toEqual(expect.arrayContaining(['redis-server', 'node', 'ffmpeg']));
    expect(processesOf(stateDir).length).toBeGreaterThanOrEqual(6);
    // A terminal's Ctrl-C: SIGINT to the foreground process group (bash, npm, the launcher),
    // while the README's publisher is still sending and the worker's FFmpeg transcoding.
    expect(shell?.exitCode).toBeNull();
    process.kill(-launcher.pid!, 'SIGINT');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), 60_000))),
    ]);
    clearTimeout(timer);
    expect(code).not.toBe('hung');
    expect(out.slice(-200)).toContain('› stopped');
    // Nothing the launcher started is left: not by environment, not in its namespace.
    const left = () =>
      [...new Set([...processesOf(stateDir), ...inNamespace(netns, publisherGroup)])].map(
        (pid) => `${pid}:${comm(pid)}`,
      );
    await until(
      'the namespace to empty',
      () => left().length === 0,
      10_000,
      () => left().join(' '),
    );
    expect(left()).toEqual([]);
  });
});
