import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'mpd-parser';
import {
  buildTranscode,
  DashPresentation,
  FfmpegProcess,
  previousRunFiles,
  restartIo,
  type TranscodeIo,
  type TranscodePlan,
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

/** MPD Periods as dash.js would see them: id, start, and the files each representation lists. */
async function periodsOf(mpdPath: string) {
  const xml = await readFile(mpdPath, 'utf8');
  const periods = [...xml.matchAll(/<Period id="([^"]+)" start="PT([\d.]+)S"/g)].map((m) => ({
    id: m[1],
    start: Number(m[2]),
  }));
  const manifest = parse(xml, { manifestUri: pathToFileURL(mpdPath).href });
  const audio = Object.values(manifest.mediaGroups.AUDIO ?? {}).flatMap((g) =>
    Object.values(g).flatMap((l) => l.playlists),
  );
  const playlists = [...manifest.playlists, ...audio];
  const files = playlists.flatMap((p) => p.segments.map((seg) => fileURLToPath(seg.resolvedUri)));
  return { xml, periods, files, playlists };
}

/**
 * Runs `plan` and SIGKILLs its FFmpeg once every rendition's playlist lists 3 segments;
 * `poll` runs before each look (the DASH test restitches there, as the worker does).
 */
async function crashAfterThreeSegments(
  plan: TranscodePlan,
  poll: () => Promise<unknown> = async () => undefined,
): Promise<void> {
  const run = new FfmpegProcess({ args: plan.args });
  const pid = await run.start();
  for (;;) {
    await poll();
    const counts = await Promise.all(
      plan.outputs.renditions.map((r) => segmentsListed(r.playlist as string)),
    );
    if (Math.min(...counts) >= 3) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  process.kill(pid, 'SIGKILL');
  expect((await run.exited).kind).toBe('signal');
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
    // Crash it mid-run, once every rendition has listed 3 segments (~6 s of real time).
    await crashAfterThreeSegments(plan1);

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

describe('restart after a crash (HLS + DASH, dash muxer)', () => {
  it('adds a Period on the same clock and continues the HLS sequences with a discontinuity', async () => {
    const spec = FIXTURES.hlsDash;
    const outputDir = join(work, 'dash-out');
    const first: TranscodeIo = { input: { kind: 'url', url: source, realtime: true }, outputDir };
    const plan1 = buildTranscode(spec, first);
    await mkdir(outputDir, { recursive: true });
    const presentation = new DashPresentation(spec, plan1.outputs);
    // As the worker does: restitch while FFmpeg writes; crash it once every playlist lists 3.
    await crashAfterThreeSegments(plan1, () => presentation.update());
    await presentation.update();

    const before = await snapshot(outputDir);
    const live1 = await periodsOf(plan1.outputs.mpd as string);
    expect(live1.xml).toContain('type="dynamic"');
    const ast = /availabilityStartTime="([^"]+)"/.exec(live1.xml)?.[1];
    expect(live1.periods).toEqual([{ id: 'r1', start: 0 }]);
    const run1Seq = new Map<string, Map<string, number>>(); // playlist → uri → sequence number
    for (const r of plan1.outputs.renditions) {
      const m = await readPlaylist(r.playlist as string);
      run1Seq.set(
        r.name,
        new Map(m.segments.map((seg, i) => [seg.uri, (m.mediaSequence ?? 0) + i])),
      );
    }

    const restart = await restartIo(plan1.outputs, 1);
    const plan2 = buildTranscode(spec, { ...first, ...restart });
    expect(plan2.outputs.runMpd).not.toBe(plan1.outputs.runMpd);
    const run2 = new FfmpegProcess({ args: plan2.args });
    await run2.start();
    let live2 = live1;
    for (let i = 0; i < 100; i++) {
      await presentation.update();
      live2 = await periodsOf(plan2.outputs.mpd as string);
      if (live2.periods.length === 2 && live2.files.some((f) => f.includes('_r2_00002'))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    // Live, both runs: same clock, a second Period that starts after the first one's media.
    expect(live2.xml).toContain('type="dynamic"');
    expect(/availabilityStartTime="([^"]+)"/.exec(live2.xml)?.[1]).toBe(ast);
    expect(live2.periods.map((p) => p.id)).toEqual(['r1', 'r2']);
    for (const p of live1.playlists) {
      const last = p.segments.at(-1);
      expect(last).toBeDefined();
      if (last) {
        const run1End = last.presentationTime + last.duration;
        expect(live2.periods[1].start).toBeGreaterThanOrEqual(run1End - 0.001);
      }
    }
    expect(live2.playlists).toHaveLength(spec.video.length + spec.audio.length);
    for (const file of live2.files) await expect(readFile(file)).resolves.toBeDefined();
    expect((await run2.exited).kind).toBe('clean');
    await presentation.update({ ended: true });

    for (const r of plan2.outputs.renditions) {
      const m = await readPlaylist(r.playlist as string);
      const seqs = m.segments.map((seg, i) => (m.mediaSequence ?? 0) + i);
      // Run 1's segments keep the numbers players already saw; run 2's continue after them.
      const old = run1Seq.get(r.name) as Map<string, number>;
      m.segments.forEach((seg, i) => {
        if (old.has(seg.uri))
          expect({ uri: seg.uri, seq: seqs[i] }).toEqual({ uri: seg.uri, seq: old.get(seg.uri) });
      });
      const firstNew = m.segments.findIndex((seg) => seg.uri.includes('_r2_'));
      expect(firstNew).toBeGreaterThan(0);
      expect(seqs[firstNew]).toBe(Math.max(...old.values()) + 1);
      expect(m.segments.filter((seg) => seg.discontinuity).length).toBe(1);
      expect(m.segments[firstNew].discontinuity).toBe(true);
      expect(m.segments[firstNew].map?.uri).toMatch(/^init_\d+_r2\.m4s$/);
      expect(m.segments[firstNew - 1].map?.uri).toMatch(/^init_\d+_r1\.m4s$/);
      expect(m.endList).toBe(true);
      for (const seg of m.segments)
        await expect(readFile(join(outputDir, seg.uri))).resolves.toBeDefined();
    }
    const ended = await periodsOf(plan2.outputs.mpd as string);
    expect(ended.xml).toContain('type="static"');
    expect(ended.periods.map((p) => p.id)).toEqual(['r1', 'r2']);
    // Every file of run 1 is still there, byte for byte.
    const after = await snapshot(outputDir);
    for (const [path, hash] of before)
      expect({ path, hash: after.get(path) }).toEqual({ path, hash });
  }, 90_000);
});
