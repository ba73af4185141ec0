import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AAC_64, FIXTURES, spec, video, type FixtureName } from '../../test/fixtures/job-specs';
import { GOLDEN_IO } from '../../test/fixtures/golden-io';
import { CommandError } from './command-error';
import { adaptationSets } from './dash-muxer-args.builder';
import { buildTranscode } from './transcode.builder';

const GOLDEN_DIR = join(__dirname, '../../test/golden');

function golden(name: FixtureName): string[] {
  return readFileSync(join(GOLDEN_DIR, `${name}.argv.txt`), 'utf8')
    .trimEnd()
    .split('\n');
}

/** Value that follows `flag` in argv, or undefined. */
function valueOf(args: string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i < 0 ? undefined : args[i + 1];
}

describe('buildTranscode golden argv', () => {
  // Goldens are reviewed argv files (one argument per line); a diff here is a behaviour change.
  it.each(Object.keys(FIXTURES) as FixtureName[])('%s', (name) => {
    expect(buildTranscode(FIXTURES[name], GOLDEN_IO).args).toEqual(golden(name));
  });
});

describe('buildTranscode structure', () => {
  it('decodes once: a single -i and a single read of the decoded video', () => {
    const { args } = buildTranscode(FIXTURES.h264HlsFmp4, GOLDEN_IO);
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    const graph = valueOf(args, '-filter_complex') ?? '';
    expect(graph.match(/\[0:v:0\]/g)).toHaveLength(1);
    FIXTURES.h264HlsFmp4.video.forEach((r, i) => {
      expect(graph).toContain(`scale=${r.width}:${r.height},setsar=1`);
      expect(args).toContain(`[v${i}]`);
    });
  });

  it('maps every audio rendition from the first source audio track, after the video', () => {
    const { args } = buildTranscode(FIXTURES.h264HlsFmp4, GOLDEN_IO);
    const maps = args.flatMap((a, i) => (a === '-map' ? [args[i + 1]] : []));
    expect(maps).toEqual(['[v0]', '[v1]', '[v2]', '0:a:0']);
  });

  it('video-only has no audio map; audio-only has no filter graph', () => {
    expect(buildTranscode(FIXTURES.videoOnly, GOLDEN_IO).args).not.toContain('0:a:0');
    const audioOnly = buildTranscode(FIXTURES.audioOnly, GOLDEN_IO).args;
    expect(audioOnly).not.toContain('-filter_complex');
    expect(audioOnly.filter((a) => a.startsWith('-c:v'))).toEqual([]);
  });

  it('sends progress as key=value on stdout every second, with no human stats line', () => {
    const { args } = buildTranscode(FIXTURES.h264HlsTs, GOLDEN_IO);
    expect(valueOf(args, '-progress')).toBe('pipe:1');
    expect(valueOf(args, '-stats_period')).toBe('1');
    expect(args).toContain('-nostats');
    expect(args.indexOf('-progress')).toBeLessThan(args.indexOf('-i'));
  });

  it('refuses a job without renditions with a stable code', () => {
    const empty = { ...FIXTURES.videoOnly, video: [] };
    expect(() => buildTranscode(empty, GOLDEN_IO)).toThrow(
      expect.objectContaining({ code: 'NO_RENDITIONS' }),
    );
    expect(() => buildTranscode(empty, GOLDEN_IO)).toThrow(CommandError);
  });

  it('refuses a non-positive run number and a negative start number', () => {
    const s = FIXTURES.videoOnly;
    expect(() => buildTranscode(s, { ...GOLDEN_IO, runNumber: 0 })).toThrow(/runNumber/);
    expect(() => buildTranscode(s, { ...GOLDEN_IO, startNumber: -1 })).toThrow(/startNumber/);
  });
});

describe('buildTranscode outputs', () => {
  it('HLS: a directory per rendition named after it, with its playlist, init and segments', () => {
    const { outputs } = buildTranscode(FIXTURES.h264HlsFmp4, { ...GOLDEN_IO, runNumber: 3 });
    expect(outputs.master).toBe('/media/job1/master.m3u8');
    expect(outputs.mpd).toBeUndefined();
    const r = outputs.renditions.find((x) => x.name === '240p');
    expect(r).toEqual({
      name: '240p',
      kind: 'video',
      streamIndex: 1,
      dir: '/media/job1/240p',
      playlist: '/media/job1/240p/index.m3u8',
      initFile: '/media/job1/240p/init_r3_240p.mp4',
      segmentTemplate: '/media/job1/240p/seg_r3_%05d.m4s',
    });
    expect(outputs.directories).toEqual(
      ['360p', '240p', '180p', 'audio'].map((n) => `/media/job1/${n}`),
    );
  });

  it('TS segments have no init file', () => {
    const { outputs } = buildTranscode(FIXTURES.h264HlsTs, GOLDEN_IO);
    expect(outputs.renditions.every((r) => r.initFile === undefined)).toBe(true);
    expect(outputs.renditions[0].segmentTemplate).toBe('/media/job1/360p/seg_r1_%05d.ts');
  });

  it('HLS + DASH: one segment set; FFmpeg writes a per-run MPD, the HLS playlists are stitched', () => {
    const { outputs, args } = buildTranscode(FIXTURES.hlsDash, { ...GOLDEN_IO, runNumber: 7 });
    expect(valueOf(args, '-f')).toBe('dash');
    // dashenc's own HLS restarts its numbering each run: DashPresentation writes the playlists.
    expect(args).not.toContain('-hls_playlist');
    expect(args.at(-1)).toBe('/media/job1/.dash_r7.mpd');
    expect(outputs.runMpd).toBe('/media/job1/.dash_r7.mpd');
    expect(outputs.mpd).toBe('/media/job1/manifest.mpd');
    expect(outputs.master).toBe('/media/job1/master.m3u8');
    expect(outputs.renditions.map((r) => r.playlist)).toEqual(
      [0, 1, 2].map((i) => `/media/job1/media_${i}.m3u8`),
    );
  });

  it('DASH only: no HLS playlists', () => {
    const { outputs, args } = buildTranscode(FIXTURES.dash, GOLDEN_IO);
    expect(args).not.toContain('-hls_playlist');
    expect(outputs.master).toBeUndefined();
    expect(outputs.renditions.every((r) => r.playlist === undefined)).toBe(true);
  });
});

describe('DASH adaptation sets', () => {
  it('groups video by exact aspect ratio (the dash muxer refuses mixed ratios) and audio by codec', () => {
    const s = spec(
      [video('a', 1280, 720, 1), video('b', 426, 240, 1), video('c', 640, 360, 1)],
      [
        AAC_64,
        { ...AAC_64, name: 'opus', codec: 'opus' },
        { ...AAC_64, name: 'lo', bitrateKbps: 32 },
      ],
      { formats: ['dash'] },
    );
    expect(adaptationSets(s)).toBe(
      'id=0,streams=0,2 id=1,streams=1 id=2,streams=3,5 id=3,streams=4',
    );
  });
});
