import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { JobSpec } from '@ezlive/domain';
import { parse, type MpdPlaylist } from 'mpd-parser';
import { FIXTURES } from './fixtures/job-specs';
import {
  checkMaster,
  checkRendition,
  hlsSegments,
  type MeasuredRendition,
  type SegmentRef,
} from './media-assertions';
import {
  makeSource,
  removeDir,
  tempDir,
  transcode,
  withObservableProfiles,
} from './transcode-harness';

/** Three 30 fps frames: x264's B-frame reorder delay at the fixtures' presets. */
const DASH_AUDIO_SLACK = 3 / 30;

let work: string;
let source: string;
beforeAll(async () => {
  work = await tempDir('dash');
  source = await makeSource(work);
});
afterAll(() => removeDir(work));

function mpdSegments(p: MpdPlaylist): SegmentRef[] {
  return p.segments.map((s) => ({
    file: fileURLToPath(s.resolvedUri),
    init: s.map ? fileURLToPath(s.map.resolvedUri) : undefined,
    duration: s.duration,
  }));
}

async function runDash(name: string, spec: JobSpec) {
  const { plan, exit } = await transcode(spec, {
    input: { kind: 'url', url: source },
    outputDir: `${work}/${name}`,
  });
  expect({ kind: exit.kind, tail: exit.kind === 'clean' ? [] : exit.stderrTail }).toEqual({
    kind: 'clean',
    tail: [],
  });
  const mpdPath = plan.outputs.mpd as string;
  const mpd = parse(await readFile(mpdPath, 'utf8'), { manifestUri: pathToFileURL(mpdPath).href });
  const audio = Object.values(mpd.mediaGroups.AUDIO ?? {}).flatMap((g) =>
    Object.values(g).flatMap((l) => l.playlists),
  );
  const all = [...mpd.playlists, ...audio];
  expect(all).toHaveLength(spec.video.length + spec.audio.length);
  const measured: MeasuredRendition[] = [];
  for (const [id, r] of plan.outputs.renditions.entries()) {
    // Representation ids are output stream indices; mpd-parser exposes them as NAME.
    const p = all.find((x) => x.attributes.NAME === String(id));
    expect(p).toBeDefined();
    if (r.kind === 'video') {
      const v = spec.video[r.streamIndex];
      expect(p?.attributes.RESOLUTION).toEqual({ width: v.width, height: v.height });
    }
    measured.push(
      await checkRendition(spec, r, mpdSegments(p as MpdPlaylist), work, DASH_AUDIO_SLACK),
    );
  }
  return { plan, measured };
}

describe('DASH with real FFmpeg', () => {
  it('DASH only: MPD parses, references existing aligned segments', async () => {
    const { plan } = await runDash('dash', withObservableProfiles(FIXTURES.dash));
    expect(plan.outputs.master).toBeUndefined();
  }, 60_000);

  it('HLS + DASH from one set of fMP4 segments (dash muxer with hls_playlist)', async () => {
    const spec = withObservableProfiles(FIXTURES.hlsDash);
    const { plan, measured } = await runDash('hls-dash', spec);
    // The HLS playlists reference exactly the files the MPD does: one segment set.
    for (const r of plan.outputs.renditions) {
      const hls = await hlsSegments(r.playlist as string);
      expect(hls.length).toBeGreaterThanOrEqual(4);
      for (const s of hls) {
        expect(s.file.startsWith(`${work}/hls-dash/seg_`)).toBe(true);
        expect(s.init).toBe(r.initFile);
      }
      await checkRendition(spec, r, hls, work, DASH_AUDIO_SLACK);
    }
    await checkMaster(spec, plan.outputs, measured, true);
  }, 60_000);
});
