import fc from 'fast-check';
import type { VideoCodec, VideoRendition } from '@ezlive/domain';
import { spec, video, AAC_64 } from '../../test/fixtures/job-specs';
import { GOLDEN_IO } from '../../test/fixtures/golden-io';
import { buildTranscode } from './transcode.builder';

/**
 * The Go original passed `-s`, `-b:v` and `-force_key_frames` without stream specifiers, so
 * FFmpeg applied them to the first video stream only and every other rendition ran on encoder
 * defaults. Every per-rendition option here must name its stream, with that rendition's value.
 */

/** Per-rendition options and the value each rendition must get, by codec. */
function expectedOptions(r: VideoRendition, gop: number): Record<string, string> {
  const common = { '-b': `${r.bitrateKbps}k`, '-preset': r.preset };
  if (r.codec === 'av1') return { ...common, '-g': String(gop), '-c': 'libsvtav1' };
  const vbv = {
    '-maxrate': `${r.maxBitrateKbps}k`,
    '-bufsize': `${r.bufferSizeKbps}k`,
    '-force_key_frames': 'expr:gte(t,n_forced*2)',
  };
  if (r.codec === 'h265') return { ...common, ...vbv, '-c': 'libx265' };
  return { ...common, ...vbv, '-c': 'libx264', '-g': String(gop), '-keyint_min': String(gop) };
}

const PER_STREAM =
  /^-(b|maxrate|bufsize|preset|profile|g|keyint_min|force_key_frames|s|r|c|sc_threshold|tag)(:v)?$/;

const renditionArb = fc
  .record({
    codec: fc.constantFrom<VideoCodec>('h264', 'h265', 'av1'),
    h: fc.integer({ min: 60, max: 540 }),
    kbps: fc.integer({ min: 100, max: 6000 }),
    fps: fc.constantFrom(24, 25, 30, 50, 60),
  })
  .map(({ codec, h, kbps, fps }) =>
    video(`r${h}`, 2 * Math.round((h * 16) / 18), 2 * h, kbps, {
      codec,
      framerateFps: fps,
      maxBitrateKbps: kbps + 100,
      bufferSizeKbps: 3 * kbps,
      preset: codec === 'av1' ? '12' : 'veryfast',
    }),
  );

describe('per-rendition stream specifiers (the Go bug)', () => {
  it('every rendition gets its own :v:N options with its own values', () => {
    fc.assert(
      fc.property(fc.array(renditionArb, { minLength: 1, maxLength: 5 }), (ladder) => {
        const named = ladder.map((r, i) => ({ ...r, name: `v${i}` }));
        const { args } = buildTranscode(spec(named, [AAC_64]), GOLDEN_IO);
        named.forEach((r, n) => {
          const gop = 2 * (r.framerateFps ?? 0);
          for (const [flag, value] of Object.entries(expectedOptions(r, gop))) {
            const at = args.indexOf(`${flag}:v:${n}`);
            expect(at).toBeGreaterThan(-1);
            expect(args[at + 1]).toBe(value);
          }
        });
        // No per-rendition option without a stream index: it would hit stream 0 only (or all).
        expect(args.filter((a) => PER_STREAM.test(a))).toEqual([]);
        expect(
          args.filter((a) => /^-\w+:v:\d+$/.test(a) && Number(a.split(':')[2]) >= named.length),
        ).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('each rendition is scaled to its own exact size (no global -s)', () => {
    const ladder = [
      video('a', 1280, 720, 3000),
      video('b', 640, 360, 900),
      video('c', 320, 180, 300),
    ];
    const { args } = buildTranscode(spec(ladder, []), GOLDEN_IO);
    const graph = args[args.indexOf('-filter_complex') + 1];
    ladder.forEach((r) => expect(graph).toContain(`scale=${r.width}:${r.height},setsar=1`));
    expect(args).not.toContain('-s');
  });

  it('audio options carry :a:N too', () => {
    const second = { ...AAC_64, name: 'lo', bitrateKbps: 32, channels: 1 as const };
    const { args } = buildTranscode(spec([], [AAC_64, second]), GOLDEN_IO);
    expect(args[args.indexOf('-b:a:0') + 1]).toBe('64k');
    expect(args[args.indexOf('-b:a:1') + 1]).toBe('32k');
    expect(args[args.indexOf('-ac:a:1') + 1]).toBe('1');
    expect(args.filter((a) => /^-(b|ac|ar|c)(:a)?$/.test(a))).toEqual([]);
  });
});
