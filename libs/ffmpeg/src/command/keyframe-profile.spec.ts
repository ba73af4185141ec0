import { spec, video } from '../../test/fixtures/job-specs';
import { GOLDEN_IO } from '../../test/fixtures/golden-io';
import { buildTranscode } from './transcode.builder';
import { gopFrames } from './video-encoder-args.builder';

const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('keyframes aligned to segments', () => {
  it('GOP = segment duration × fps, closed, no scene cuts, for x264', () => {
    const s = spec([video('a', 640, 360, 800, { framerateFps: 25 })], [], {
      segmentDurationSec: 4,
    });
    const { args } = buildTranscode(s, GOLDEN_IO);
    expect(after(args, '-g:v:0')).toBe('100');
    expect(after(args, '-keyint_min:v:0')).toBe('100');
    expect(after(args, '-sc_threshold:v:0')).toBe('0');
    expect(after(args, '-x264-params:v:0')).toBe('open-gop=0');
    expect(after(args, '-force_key_frames:v:0')).toBe('expr:gte(t,n_forced*4)');
  });

  it('x265: keyint, min-keyint, scenecut=0, open-gop=0 and IDR for forced keyframes', () => {
    const s = spec([video('a', 640, 360, 800, { codec: 'h265', framerateFps: 50 })], []);
    const { args } = buildTranscode(s, GOLDEN_IO);
    expect(after(args, '-x265-params:v:0')).toMatch(
      /keyint=100:min-keyint=100:scenecut=0:open-gop=0/,
    );
    expect(after(args, '-forced-idr:v:0')).toBe('1');
  });

  it('SVT-AV1: -g per segment with closed key frames and no scene detection', () => {
    const s = spec(
      [video('a', 640, 360, 800, { codec: 'av1', preset: '12', framerateFps: 24 })],
      [],
    );
    const { args } = buildTranscode(s, GOLDEN_IO);
    expect(after(args, '-g:v:0')).toBe('48');
    expect(after(args, '-svtav1-params:v:0')).toBe('irefresh-type=2:scd=0');
  });

  it('a rendition keeping the input rate takes the GOP from io.sourceFps', () => {
    const s = spec([video('a', 640, 360, 800, { framerateFps: undefined })], []);
    const { args } = buildTranscode(s, { ...GOLDEN_IO, sourceFps: 25 });
    expect(after(args, '-g:v:0')).toBe('50');
    expect(after(args, '-filter_complex')).not.toContain('fps=');
  });

  it('unknown rate: x264 relies on forced keyframes with a GOP no source rate can fill first', () => {
    const s = spec([video('a', 640, 360, 800, { framerateFps: undefined })], []);
    const { args } = buildTranscode(s, GOLDEN_IO);
    expect(Number(after(args, '-g:v:0'))).toBe(gopFrames({ segmentDurationSec: 2 }));
    expect(Number(after(args, '-g:v:0'))).toBeGreaterThanOrEqual(2 * 120);
    expect(after(args, '-force_key_frames:v:0')).toBe('expr:gte(t,n_forced*2)');
  });

  it('unknown rate: av1 is refused (FFmpeg 5.1 SVT-AV1 ignores forced keyframes)', () => {
    const s = spec(
      [video('a', 640, 360, 800, { codec: 'av1', preset: '12', framerateFps: undefined })],
      [],
    );
    expect(() => buildTranscode(s, GOLDEN_IO)).toThrow(
      expect.objectContaining({ code: 'SOURCE_FPS_UNKNOWN' }),
    );
  });
});

describe('profiles', () => {
  it.each([
    [180, 'baseline'],
    [240, 'baseline'],
    [360, 'main'],
    [480, 'main'],
    [720, 'high'],
  ])('h264 at %ip defaults to %s', (height, profile) => {
    const s = spec([video('a', 2 * height, height, 800)], []);
    expect(after(buildTranscode(s, GOLDEN_IO).args, '-profile:v:0')).toBe(profile);
  });

  it('h264 keeps an explicit profile', () => {
    const s = spec([video('a', 320, 180, 300, { profile: 'high' })], []);
    expect(after(buildTranscode(s, GOLDEN_IO).args, '-profile:v:0')).toBe('high');
  });

  it('x265 defaults to main; main10 switches the branch to 10-bit', () => {
    const s = spec(
      [
        video('a', 640, 360, 800, { codec: 'h265' }),
        video('b', 320, 180, 300, { codec: 'h265', profile: 'main10' }),
      ],
      [],
    );
    const { args } = buildTranscode(s, GOLDEN_IO);
    expect(after(args, '-profile:v:0')).toBe('main');
    expect(after(args, '-profile:v:1')).toBe('main10');
    expect(after(args, '-filter_complex')).toMatch(
      /format=yuv420p\[v0\].*format=yuv420p10le\[v1\]/,
    );
  });

  it('x265 refuses h264-only profiles', () => {
    const s = spec([video('a', 640, 360, 800, { codec: 'h265', profile: 'high' })], []);
    expect(() => buildTranscode(s, GOLDEN_IO)).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_PROFILE' }),
    );
  });

  it('SVT-AV1 gets no profile option (it only encodes main for 4:2:0) and no CBR-triggering maxrate', () => {
    const s = spec([video('a', 640, 360, 800, { codec: 'av1', preset: '12' })], []);
    const { args } = buildTranscode(s, GOLDEN_IO);
    expect(args.some((a) => a.startsWith('-profile') || a.startsWith('-maxrate'))).toBe(false);
  });
});
