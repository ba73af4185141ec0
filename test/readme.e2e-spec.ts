import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type Stack } from './support/stack';

jest.setTimeout(300_000);

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

describe('README: "Your first channel", run literally', () => {
  let stack: Stack;
  let dir: string;

  beforeAll(async () => {
    stack = await startStack();
    dir = mkdtempSync(join(tmpdir(), 'ezlive-readme-'));
    symlinkSync(join(ROOT, 'docs'), join(dir, 'docs'));
  });
  afterAll(async () => {
    if (stack) expect(await stack.stop()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates a channel, publishes to it and plays it', async () => {
    const block = readmeBlock('## Your first channel');
    const lines = block.split('\n');
    // The one line a reader edits: their key and API. Everything else runs as written.
    expect(lines[0]).toMatch(/^KEY=\S+ API=http:\/\/localhost:8080$/);
    const script = [`KEY=${stack.apiKey} API=${stack.api}`, ...lines.slice(1)].join('\n');
    const shell = spawn('bash', ['-e', '-c', script], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    shell.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    shell.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const deadline = Date.now() + 120_000;
      let probed: Array<{ codec_type: string; width?: number; height?: number }> = [];
      while (Date.now() < deadline && shell.exitCode === null) {
        try {
          const job = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8')) as {
            playback: { hls: string };
          };
          probed = (
            JSON.parse(
              execFileSync(
                'ffprobe',
                ['-v', 'error', '-show_streams', '-of', 'json', job.playback.hls],
                { timeout: 20_000 },
              ).toString(),
            ) as {
              streams: typeof probed;
            }
          ).streams;
          if (probed.filter((s) => s.codec_type === 'video').length === 3) break;
        } catch {
          // not created or not playable yet
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      expect({ exited: shell.exitCode, out: out.slice(-500) }).toEqual({
        exited: null,
        out: expect.any(String),
      });
      expect(
        probed
          .filter((s) => s.codec_type === 'video')
          .map((s) => `${s.width}x${s.height}`)
          .sort(),
      ).toEqual(['1280x720', '426x240', '854x480']);
      expect(probed.some((s) => s.codec_type === 'audio')).toBe(true);
    } finally {
      if (shell.pid && shell.exitCode === null) process.kill(-shell.pid, 'SIGTERM');
    }
  });
});
