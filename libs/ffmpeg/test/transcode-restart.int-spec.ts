import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildTranscode,
  FfmpegProcess,
  previousRunFiles,
  restartIo,
  type TranscodeIo,
} from '@ezlive/ffmpeg';
import { FIXTURES } from './fixtures/job-specs';
import { readPlaylist } from './media-checks';
import { makeSource, removeDir, tempDir, transcode } from './transcode-harness';

let work: string;
let source: string;
beforeAll(async () => {
  work = await tempDir('restart');
  source = await makeSource(work);
});
afterAll(() => removeDir(work));

/** name → sha1 of every file under dir (one level of rendition directories). */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.(m4s|mp4|ts)$/.test(entry.name)) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(
      path,
      createHash('sha1')
        .update(await readFile(path))
        .digest('hex'),
    );
  }
  return files;
}

async function segmentsListed(playlist: string): Promise<number> {
  try {
    return (await readPlaylist(playlist)).segments.length;
  } catch {
    return 0;
  }
}

describe('restart after a crash (HLS fMP4)', () => {
  it('continues the media sequence, signals a discontinuity, overwrites no segment', async () => {
    const spec = FIXTURES.h264HlsFmp4;
    const outputDir = join(work, 'out');
    const first: TranscodeIo = { input: { kind: 'url', url: source, realtime: true }, outputDir };
    const plan1 = buildTranscode(spec, first);
    for (const d of plan1.outputs.directories) await mkdir(d, { recursive: true });
    const run1 = new FfmpegProcess({ args: plan1.args });
    const pid = await run1.start();
    // Crash it mid-run, once every rendition has listed 3 segments (~6 s of real time).
    for (;;) {
      const counts = await Promise.all(
        plan1.outputs.renditions.map((r) => segmentsListed(r.playlist as string)),
      );
      if (Math.min(...counts) >= 3) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    process.kill(pid, 'SIGKILL');
    expect((await run1.exited).kind).toBe('signal');

    const before = await snapshot(outputDir);
    const old = new Map<string, { seq: number; count: number }>();
    for (const r of plan1.outputs.renditions) {
      const m = await readPlaylist(r.playlist as string);
      old.set(r.name, { seq: m.mediaSequence ?? 0, count: m.segments.length });
    }

    const restart = await restartIo(plan1.outputs, 1);
    expect(restart).toMatchObject({ runNumber: 2, discontinuity: true });
    const { plan: plan2, exit } = await transcode(spec, {
      ...first,
      ...restart,
      input: { kind: 'url', url: source },
    });
    expect(exit.kind).toBe('clean');

    for (const r of plan2.outputs.renditions) {
      const m = await readPlaylist(r.playlist as string);
      const prev = old.get(r.name) as { seq: number; count: number };
      // Monotonic: the new first segment comes after the last one the old playlist listed.
      expect(m.mediaSequence).toBeGreaterThanOrEqual(prev.seq + prev.count);
      expect(m.mediaSequence).toBe(restart.startNumber);
      expect(m.segments[0].discontinuity).toBe(true);
      expect(m.segments.every((s) => s.uri.startsWith('seg_r2_'))).toBe(true);
      expect(m.segments[0].map?.uri).toBe(`init_r2_${r.name}.mp4`);
    }
    // Every file of run 1 is still there, byte for byte.
    const after = await snapshot(outputDir);
    for (const [path, hash] of before)
      expect({ path, hash: after.get(path) }).toEqual({ path, hash });
    expect(after.size).toBeGreaterThan(before.size);
    // What the worker deletes once older than the window: exactly run 1's files.
    const stale = await previousRunFiles(plan2.outputs, 2);
    expect(stale.map((f) => f.path).sort()).toEqual([...before.keys()].sort());
  }, 60_000);
});
