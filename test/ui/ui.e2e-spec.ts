import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { publish, type Publisher } from '../support/publisher';
import { startStack, type Stack } from '../support/stack';

jest.setTimeout(240_000);

// The few browser globals the page functions below use (the tsconfig has no DOM lib).
declare const document: {
  querySelector(selector: string): { videoWidth: number; currentTime: number } | null;
};
declare const location: { hash: string };

interface Playback {
  time: number;
  width: number;
  ready: number;
  buffered: string;
  status: string;
}

/** The pid of the FFmpeg transcoding job `id` on this machine (its argv names the job's directory). */
function ffmpegOf(id: string): number | undefined {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (/(^|\/)ffmpeg$/.test(argv[0]) && argv.some((a) => a.includes(id))) return Number(pid);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

/** Runs in the page: what the <video> element and the player's status line say. */
const playbackState = (): Playback => {
  const v = document.querySelector('video') as unknown as {
    currentTime: number;
    videoWidth: number;
    readyState: number;
    buffered: { length: number; start(i: number): number; end(i: number): number };
  };
  const ranges: string[] = [];
  for (let i = 0; i < v.buffered.length; i++)
    ranges.push(`${v.buffered.start(i).toFixed(1)}-${v.buffered.end(i).toFixed(1)}`);
  const status = (document.querySelector('#player-status') as unknown as { textContent: string })
    .textContent;
  return {
    time: Math.round(v.currentTime * 10) / 10,
    width: v.videoWidth,
    ready: v.readyState,
    buffered: ranges.join(','),
    status: status.slice(0, 80),
  };
};

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '../../test-output');

/**
 * The demo UI in a real browser against the whole stack (started like users do, through
 * scripts/start.js): create a job from a template, publish to the ingest URL the page shows,
 * press play, and check that video frames actually advance, for HLS (hls.js) and DASH (dash.js).
 */
describe('demo UI in Chromium (whole stack, real FFmpeg)', () => {
  let stack: Stack;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  let origin: string;
  const publishers: Publisher[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  /** Player warnings and errors, printed when playback fails. */
  const consoleLines: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    stack = await startStack();
    // Playback URLs use localhost (PLAYBACK_BASE_URL); the page uses the same host.
    origin = stack.api.replace('127.0.0.1', 'localhost');
    profile = mkdtempSync(join(tmpdir(), 'ezlive-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        '--disable-quic',
        '--autoplay-policy=no-user-gesture-required',
      ],
      viewport: { width: 1280, height: 900 },
      timeout: 30_000,
    });
    context.setDefaultTimeout(30_000);
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (/Content[- ]Security[- ]Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') consoleLines.push(m.text().slice(0, 300));
    });
  });

  afterAll(async () => {
    publishers.forEach((p) => p.stop());
    await Promise.all(publishers.map((p) => p.done));
    await context?.close().catch(() => {});
    if (profile) rmSync(profile, { recursive: true, force: true });
    if (stack) expect(await stack.stop()).toBe(0);
  });

  async function until<T>(what: string, fn: () => Promise<T | null | false>, ms = 30_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  it('serves the page with a self-only CSP and the bundled players', async () => {
    const res = await fetch(`${origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const vendor of ['/vendor/hls.min.js', '/vendor/dash.all.min.js']) {
      const v = await fetch(`${origin}${vendor}`);
      expect({ vendor, status: v.status }).toEqual({ vendor, status: 200 });
      expect(v.headers.get('content-type')).toMatch(/javascript/);
    }
    expect((await fetch(`${origin}/ui/..%2Fpackage.json`)).status).toBe(404);

    await page.goto(`${origin}/#key=${encodeURIComponent(stack.apiKey)}`);
    // The key moves to localStorage and out of the address bar.
    await page.waitForFunction(() => !location.hash.includes('key='));
    await page.locator('#list-status').filter({ hasText: 'No jobs yet' }).waitFor();
    // The list follows every job's events over SSE rather than polling.
    await page.locator('#job-list[data-live="sse"]').waitFor({ state: 'attached' }); // empty: hidden
  });

  it('shows the API field errors of an invalid spec under the editor', async () => {
    await page.click('#new-job');
    await page.fill(
      '#spec',
      JSON.stringify({ name: 'bad', input: { protocol: 'rtmp' }, video: [{ name: 'Bad Name' }] }),
    );
    await page.click('#create');
    const problem = page.locator('#spec-errors .problem');
    await problem.waitFor();
    await expect(problem.textContent()).resolves.toMatch(/video\[0\]\.name/);
    expect(await problem.locator('li').count()).toBeGreaterThanOrEqual(2);
  });

  /** Editor → create → ingest URL from the page → publish → play; returns the job id. */
  async function createAndPlay(template: string, format: 'hls' | 'dash'): Promise<string> {
    await page.click('#new-job');
    await page.selectOption('#template', template);
    await page.click('#create');
    await page.waitForSelector('#job-title');
    const id = /#\/jobs\/(\w+)$/.exec(page.url())![1];

    const rtmp = await until('the RTMP URL on the job page', async () => {
      const v = await page
        .locator('#f-rtmp-url')
        .inputValue({ timeout: 1000 })
        .catch(() => '');
      return v.startsWith('rtmp://') ? v : null;
    });
    // OBS needs the URL split: Server + "/" + Stream Key is the full URL.
    const server = await page.locator('#f-server').inputValue();
    const key = await page.locator('#f-stream-key').inputValue();
    expect(`${server}/${key}`).toBe(rtmp);

    publishers.push(publish(rtmp, { seconds: 150, size: '426x240', fps: 25 }));
    await page
      .locator('#job-title .badge')
      .filter({ hasText: 'streaming' })
      .waitFor({ timeout: 30_000 });
    const manifest = format === 'hls' ? 'master.m3u8' : 'manifest.mpd';
    await until(`${manifest} on the origin`, async () => {
      const res = await fetch(`${origin}/media/${id}/${manifest}`);
      return res.ok;
    });

    await page.click(`#play-${format}`);
    // Frames must advance ≥ 3 s of media time. Bounded generously: CI machines run other
    // tests beside this one and the transcoder may briefly fall behind real time.
    const samples: Playback[] = [];
    let t0: number | null = null;
    const deadline = Date.now() + 75_000;
    for (;;) {
      const p = await page.evaluate(playbackState);
      samples.push(p);
      if (t0 === null && p.width > 0 && p.time > 0) t0 = p.time;
      if (t0 !== null && p.time - t0 >= 3) {
        expect(p.width).toBeGreaterThan(0);
        break;
      }
      if (Date.now() > deadline)
        throw new Error(
          `${format} did not play 3 s: ${JSON.stringify(samples.slice(-8))}\n` +
            `console:\n${consoleLines.slice(-20).join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 500));
    }
    return id;
  }

  it('creates an HLS job from a template, publishes, and plays it with hls.js', async () => {
    const id = await createAndPlay('hls-test', 'hls');
    // Stats charts fill from GET /stats.
    await page
      .locator('.chart-value')
      .first()
      .filter({ hasText: /kb\/s/ })
      .waitFor({ timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'ui-hls.png'), fullPage: true });

    // Stop, resume (same job, placed again), stop, delete: all from the page; the list follows.
    const badge = page.locator('#job-title .badge');
    await page.click('#job-stop');
    await badge.filter({ hasText: 'stopped' }).waitFor({ timeout: 30_000 });
    await page.click('#job-resume');
    await badge.filter({ hasText: /^(running|streaming)$/ }).waitFor({ timeout: 30_000 });
    await page.click('#job-stop');
    await badge.filter({ hasText: 'stopped' }).waitFor({ timeout: 30_000 });
    page.once('dialog', (d) => void d.accept());
    await page.click('#job-delete');
    await page.waitForFunction(() => location.hash === '#/');
    await page.locator(`a[href="#/jobs/${id}"]`).waitFor({ state: 'detached' });
  });

  it('creates a DASH job, plays it with dash.js across a transcoder restart, and time-travels the event timeline', async () => {
    const id = await createAndPlay('dash-test', 'dash');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-dash.png'), fullPage: true });

    // Crash the transcoder: the worker restarts it and the MPD gains a Period on the same
    // clock. dash.js must play on into it (currentTime past the new Period's start).
    const pid = ffmpegOf(id);
    expect(pid).toBeDefined();
    process.kill(pid as number, 'SIGKILL');
    const secondStart = await until('a second Period in the MPD', async () => {
      const mpd = await (await fetch(`${origin}/media/${id}/manifest.mpd`)).text();
      const starts = [...mpd.matchAll(/<Period id="[^"]+" start="PT([\d.]+)S"/g)];
      return starts.length === 2 ? Number(starts[1][1]) : null;
    });
    const samples: Playback[] = [];
    await until(
      'dash.js playing 2 s into the new Period',
      async () => {
        const p = await page.evaluate(playbackState);
        samples.push(p);
        return p.time >= secondStart + 2 && p.width > 0;
      },
      60_000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message} (Period 2 at ${secondStart} s): ${JSON.stringify(samples.slice(-8))}\n` +
          `console:\n${consoleLines.slice(-20).join('\n')}`,
      );
    });

    // The SSE timeline holds the history; v1 is the job as created.
    await until('four events in the timeline', async () => {
      return (await page.locator('#timeline button.event').count()) >= 4;
    });
    await page.click('#timeline button.event[data-version="1"]');
    const inspector = page.locator('.inspector-head');
    await inspector.filter({ hasText: 'State after v1' }).waitFor();
    await expect(inspector.locator('.badge').textContent()).resolves.toBe('created');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-timeline.png'), fullPage: true });
  });

  it('the job list follows a job created, stopped and deleted elsewhere, live over SSE', async () => {
    await page.goto(`${origin}/#/`);
    await page.locator('#job-list[data-live="sse"]').waitFor({ state: 'attached' });
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${stack.api}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${stack.apiKey}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    // Created by another client (the API), never touched from this page.
    const res = await api('POST', '/v1/jobs', {
      name: 'made elsewhere',
      input: { protocol: 'rtmp' },
      audio: [{ name: 'aac', codec: 'aac', bitrateKbps: 64 }],
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const row = page.locator(`#job-list a[href="#/jobs/${id}"]`);
    // Each bound is under half the list's safety-net poll with a live stream (20 s), so only
    // the event stream can make these rows change in time.
    await row.locator('.badge').filter({ hasText: 'running' }).waitFor({ timeout: 9_000 });
    await expect(row.locator('.job-name').textContent()).resolves.toBe('made elsewhere');
    expect((await api('POST', `/v1/jobs/${id}/stop`)).status).toBe(202);
    await row.locator('.badge').filter({ hasText: 'stopped' }).waitFor({ timeout: 9_000 });
    expect((await api('DELETE', `/v1/jobs/${id}`)).status).toBe(204);
    await row.waitFor({ state: 'detached', timeout: 9_000 });
  });

  it('raised no CSP violations or page errors', () => {
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
