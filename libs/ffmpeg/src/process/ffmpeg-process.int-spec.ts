import { execFile, spawn } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES as SPECS } from '../../test/fixtures/job-specs';
import { buildTranscode } from '../command/transcode.builder';
import { FfmpegProcess } from './ffmpeg-process';
import { reapOrphans } from './orphan-reaper';
import { procStartTicks } from './pid-file';
import type { FfmpegProgress } from './progress-parser';

const FIXTURES = join(__dirname, '../../test/fixtures/processes');
const node = (
  script: string,
  extra: Partial<ConstructorParameters<typeof FfmpegProcess>[0]> = {},
) => new FfmpegProcess({ command: process.execPath, args: [join(FIXTURES, script)], ...extra });

const isAlive = (pid: number) => procStartTicks(pid) !== undefined && !/\) Z /.test(statOf(pid));
function statOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return '';
  }
}
async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

let runDir: string;
beforeAll(async () => {
  runDir = await mkdtemp(join(tmpdir(), 'ezlive-ffproc-'));
});
afterAll(async () => {
  await rm(runDir, { recursive: true, force: true });
});

describe('FfmpegProcess with fixture processes', () => {
  it('crash: classified error with the last stderr lines; pid file removed; never restartable', async () => {
    const p = node('crash.js', { runDir });
    await p.start();
    const exit = await p.exited;
    expect(exit).toMatchObject({ kind: 'error', code: 1, signal: null });
    expect(exit.stderrTail).toContain('[error] Unrecognized option "bogus"');
    expect((await readdir(runDir)).filter((f) => f.endsWith('.pid.json'))).toEqual([]);
    await expect(p.start()).rejects.toMatchObject({ code: 'PROCESS_ALREADY_STARTED' });
  });

  it('progress: typed events from chunked key=value blocks, clean exit', async () => {
    const p = node('progress.js');
    const seen: FfmpegProgress[] = [];
    p.on('progress', (e) => seen.push(e));
    await p.start();
    expect((await p.exited).kind).toBe('clean');
    expect(seen.map((e) => [e.frame, e.dropFrames, e.speed, e.done])).toEqual([
      [30, 1, 1.5, false],
      [60, 2, 1.5, false],
      [90, 3, 1.5, true],
    ]);
  });

  it('stderr flood: memory bounded to the last 50 lines, all lines still streamed', async () => {
    const p = node('flood.js');
    let count = 0;
    p.on('stderr', () => (count += 1));
    await p.start();
    const exit = await p.exited;
    expect(exit.kind).toBe('error');
    expect(exit.stderrTail).toHaveLength(50);
    expect(exit.stderrTail.at(-1)).toBe('[warning] flood line 99999');
    expect(count).toBe(100_000);
  });

  it('hang: stop() sends SIGTERM and the exit is classified stopped', async () => {
    const p = node('hang.js', { killTimeoutMs: 5000 });
    await p.start();
    const t0 = Date.now();
    const exit = await p.stop();
    expect(exit).toMatchObject({ kind: 'stopped', signal: 'SIGTERM' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('SIGTERM ignored: escalates to SIGKILL after the timeout', async () => {
    const p = node('ignore-sigterm.js', { killTimeoutMs: 500 });
    const ready = new Promise((r) => p.once('stderr', r));
    await p.start();
    await ready;
    const t0 = Date.now();
    const exit = await p.stop();
    expect(exit).toMatchObject({ kind: 'stopped', signal: 'SIGKILL' });
    expect(exit.stderrTail).toContain('[warning] ignoring SIGTERM');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
  }, 15_000);

  it('an AbortSignal stops the process', async () => {
    const ac = new AbortController();
    const p = node('hang.js', { signal: ac.signal });
    const pid = await p.start();
    ac.abort();
    expect((await p.exited).kind).toBe('stopped');
    expect(isAlive(pid)).toBe(false);
  });

  it('spawn failure is a typed error and settles the exit', async () => {
    const p = new FfmpegProcess({ command: '/nonexistent/ffmpeg', args: [] });
    await expect(p.start()).rejects.toMatchObject({ code: 'PROCESS_SPAWN_FAILED' });
    expect((await p.exited).kind).toBe('error');
  });

  it('real FFmpeg: SIGTERM ends it as stopped and it reports progress', async () => {
    const p = new FfmpegProcess({
      args: [
        '-nostdin',
        '-progress',
        'pipe:1',
        '-stats_period',
        '0.5',
        '-nostats',
        '-re',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=160x90:rate=10',
        '-f',
        'null',
        '-',
      ],
    });
    const first = new Promise<FfmpegProgress>((r) => p.once('progress', r));
    await p.start();
    expect((await first).frame).toBeGreaterThanOrEqual(0);
    expect((await p.stop()).kind).toBe('stopped');
  });
});

describe('stdin as the media input', () => {
  it('FFmpeg transcodes what is written to its stdin and ends cleanly at EOF', async () => {
    const source = join(runDir, 'stdin-source.flv');
    await new Promise<void>((resolve, reject) =>
      execFile(
        'ffmpeg',
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-y',
          '-f',
          'lavfi',
          '-i',
          'testsrc2=size=160x90:rate=10',
          '-t',
          '2',
          '-c:v',
          'libx264',
          '-f',
          'flv',
          source,
        ],
        (err) => (err ? reject(err) : resolve()),
      ),
    );
    const p = new FfmpegProcess({
      args: ['-nostdin', '-progress', 'pipe:1', '-i', 'pipe:0', '-f', 'null', '-'],
      stdin: 'pipe',
    });
    let frames = 0;
    p.on('progress', (e) => (frames = e.frame ?? frames));
    await p.start();
    createReadStream(source).pipe(p.stdin as NodeJS.WritableStream);
    expect((await p.exited).kind).toBe('clean');
    expect(frames).toBe(20);
  });

  it('EPIPE on a stdin the child closed does not crash the owner', async () => {
    // A child that closes its end of the pipe but lives on: the next write fails with EPIPE.
    const p = new FfmpegProcess({
      command: process.execPath,
      args: ['-e', 'require("fs").closeSync(0); setTimeout(() => undefined, 3000)'],
      stdin: 'pipe',
    });
    await p.start();
    await new Promise((r) => setTimeout(r, 300));
    const stdin = p.stdin as NodeJS.WritableStream;
    const written = new Promise((resolve) => stdin.write(Buffer.alloc(1 << 20), resolve));
    // The EPIPE arrives as an 'error' event too; unhandled, it would fail this test.
    expect(await written).toMatchObject({ code: 'EPIPE' });
    await new Promise((r) => setTimeout(r, 100));
    await p.stop();
  });
});

describe('exit classification with real FFmpeg', () => {
  it('an unreachable RTMP gateway is input-lost, with the reason in the tail', async () => {
    const { args } = buildTranscode(SPECS.videoOnly, {
      input: { kind: 'rtmp', url: 'rtmp://127.0.0.1:1/live/nobody' },
      outputDir: runDir,
    });
    const p = new FfmpegProcess({ args });
    await p.start();
    const exit = await p.exited;
    expect(exit.kind).toBe('input-lost');
    expect(exit.stderrTail.join('\n')).toMatch(/Connection refused/);
  });
});

describe('no orphans when the owner is SIGKILLed', () => {
  function startOwner(
    watchdog: 'on' | 'off',
  ): Promise<{ owner: ReturnType<typeof spawn>; pid: number }> {
    const owner = spawn(
      process.execPath,
      [
        '-r',
        'ts-node/register/transpile-only',
        join(FIXTURES, 'orphan-owner.ts'),
        runDir,
        watchdog,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    return new Promise((resolve, reject) => {
      owner.stdout
        ?.setEncoding('utf8')
        .once('data', (d: string) => resolve({ owner, pid: Number(d.trim()) }));
      owner.once('exit', (code) => reject(new Error(`owner exited early: ${code}`)));
    });
  }

  it('the watchdog kills FFmpeg within a few seconds of the owner dying', async () => {
    const { owner, pid } = await startOwner('on');
    expect(isAlive(pid)).toBe(true);
    owner.kill('SIGKILL');
    expect(await waitFor(() => !isAlive(pid), 5000)).toBe(true);
    // The pid file is left behind (nobody could remove it); the reaper tidies it as stale.
    expect((await reapOrphans(runDir)).stale).toContain(pid);
  }, 20_000);

  it('without the watchdog, the next start reaps it from the pid files', async () => {
    const { owner, pid } = await startOwner('off');
    owner.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1500));
    // Still running with its owner gone: exactly the orphan the reaper is for.
    expect(isAlive(pid)).toBe(true);
    const result = await reapOrphans(runDir);
    expect(result.killed).toEqual([pid]);
    expect(await waitFor(() => !isAlive(pid), 3000)).toBe(true);
    expect((await readdir(runDir)).filter((f) => f.endsWith('.pid.json'))).toEqual([]);
  }, 20_000);

  it('the reaper never signals a recycled pid (cmdline or start time differ)', async () => {
    const sleeper = spawn('sleep', ['30']);
    const pid = sleeper.pid as number;
    const record = {
      pid,
      startTicks: procStartTicks(pid),
      command: 'ffmpeg',
      ownerPid: 1,
      ownerStartTicks: -1,
    };
    await writeFile(join(runDir, `ffmpeg-${pid}.pid.json`), JSON.stringify(record));
    try {
      const result = await reapOrphans(runDir);
      expect(result.killed).not.toContain(pid);
      expect(result.stale).toContain(pid);
      expect(isAlive(pid)).toBe(true);
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});
