import { readdir } from 'node:fs/promises';
import type { JobSpec } from '@ezlive/domain';
import { completeMasterCodecs, type TranscodeIo } from '@ezlive/ffmpeg';
import { FIXTURES } from './fixtures/job-specs';
import {
  checkMaster,
  checkRendition,
  hlsSegments,
  type MeasuredRendition,
} from './media-assertions';
import { readPlaylist } from './media-checks';
import {
  makeSource,
  removeDir,
  tempDir,
  transcode,
  withObservableProfiles,
} from './transcode-harness';

let work: string;
let source: string;
beforeAll(async () => {
  work = await tempDir('hls');
  source = await makeSource(work);
});
afterAll(() => removeDir(work));

async function runHls(name: string, spec: JobSpec) {
  const io: TranscodeIo = { input: { kind: 'url', url: source }, outputDir: `${work}/${name}` };
  const { plan, exit } = await transcode(spec, io);
  expect({ kind: exit.kind, tail: exit.kind === 'clean' ? [] : exit.stderrTail }).toEqual({
    kind: 'clean',
    tail: [],
  });
  const measured: MeasuredRendition[] = [];
  for (const r of plan.outputs.renditions) {
    const playlist = await readPlaylist(r.playlist as string);
    expect(playlist.targetDuration).toBe(spec.output.segmentDurationSec);
    if (r.kind === 'video') expect(playlist.independentSegments).toBe(true);
    measured.push(await checkRendition(spec, r, await hlsSegments(r.playlist as string), work));
  }
  const completed = await completeMasterCodecs(spec, plan.outputs);
  expect(completed).toBe(spec.video.some((v) => v.codec === 'av1'));
  await checkMaster(spec, plan.outputs, measured);
  return { plan, measured };
}

describe('HLS with real FFmpeg', () => {
  it('3-rendition h264 ladder in fMP4 with an audio group', async () => {
    await runHls('h264-fmp4', withObservableProfiles(FIXTURES.h264HlsFmp4));
  }, 60_000);

  it('h264 in MPEG-TS segments', async () => {
    const { plan } = await runHls('h264-ts', withObservableProfiles(FIXTURES.h264HlsTs));
    expect(plan.outputs.renditions[0].segmentTemplate).toMatch(/\.ts$/);
  }, 60_000);

  it('h265 1080p main10 + 360p main', async () => {
    await runHls('h265', FIXTURES.h265);
  }, 120_000);

  it('AV1 (SVT-AV1)', async () => {
    await runHls('av1', FIXTURES.av1);
  }, 60_000);

  it('video only', async () => {
    const { plan } = await runHls('video-only', withObservableProfiles(FIXTURES.videoOnly));
    expect(plan.outputs.renditions.every((r) => r.kind === 'video')).toBe(true);
  }, 60_000);

  it('live window: the playlist keeps windowSec of segments and older files are deleted', async () => {
    const spec = { ...FIXTURES.videoOnly, output: { ...FIXTURES.videoOnly.output, windowSec: 6 } };
    const io: TranscodeIo = { input: { kind: 'url', url: source }, outputDir: `${work}/window` };
    const { plan, exit } = await transcode(spec, io);
    expect(exit.kind).toBe('clean');
    for (const r of plan.outputs.renditions) {
      const listed = (await readPlaylist(r.playlist as string)).segments.map((x) => x.uri);
      expect(listed).toHaveLength(3);
      const onDisk = (await readdir(r.dir)).filter((f) => f.startsWith('seg_'));
      // hls_delete_threshold (default 1) keeps one unlisted segment for late readers.
      expect(onDisk.length).toBeLessThanOrEqual(listed.length + 1);
      expect(onDisk).not.toContain('seg_r1_00000.m4s');
      expect(onDisk).toEqual(expect.arrayContaining(listed));
    }
  }, 60_000);

  it('audio only', async () => {
    await runHls('audio-only', FIXTURES.audioOnly);
  }, 60_000);
});
