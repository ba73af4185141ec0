import { validateJobSpec, type SpecValidation } from './validate-job-spec';

const base = () => ({
  name: 'news',
  input: { protocol: 'rtmp' },
  video: [
    { name: '720p', codec: 'h264', width: 1280, height: 720, bitrateKbps: 3000 },
    { name: '360p', codec: 'h264', width: 640, height: 360, bitrateKbps: 800 },
  ],
  audio: [{ name: 'aac', codec: 'aac', bitrateKbps: 128 }],
});

const errorsOf = (r: SpecValidation) => (r.ok ? [] : r.errors.map((e) => `${e.path}:${e.code}`));
const warningsOf = (r: SpecValidation) => r.warnings.map((w) => `${w.path}:${w.code}`);

describe('validateJobSpec', () => {
  it('fills every default of a minimal spec', () => {
    const r = validateJobSpec(base());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.spec.input.reconnectWindowSec).toBe(30);
    expect(r.spec.output).toEqual({
      formats: ['hls'],
      segmentFormat: 'fmp4',
      segmentDurationSec: 2,
      windowSec: 60,
      destination: { type: 'local' },
    });
    expect(r.spec.video[0]).toMatchObject({
      maxBitrateKbps: 3000,
      bufferSizeKbps: 6000,
      preset: 'veryfast',
    });
    expect(r.spec.audio[0]).toMatchObject({ channels: 2, sampleRateHz: 48000 });
  });

  it.each([
    [null, ':INVALID_BODY'],
    [[1, 2], ':INVALID_BODY'],
    ['x', ':INVALID_BODY'],
  ])('rejects a non-object body %p', (body, expected) => {
    expect(errorsOf(validateJobSpec(body))).toEqual([expected]);
  });

  it.each<[string, (s: ReturnType<typeof base> & Record<string, unknown>) => void, string]>([
    ['unknown top-level field', (s) => (s.extra = 1), 'extra:UNKNOWN_FIELD'],
    ['missing input', (s) => delete (s as Partial<typeof s>).input, 'input:REQUIRED'],
    ['bad protocol', (s) => (s.input.protocol = 'udp'), 'input.protocol:NOT_ALLOWED'],
    [
      'reconnect window too long',
      (s) => Object.assign(s.input, { reconnectWindowSec: 601 }),
      'input.reconnectWindowSec:TOO_LARGE',
    ],
    [
      'path traversal in a rendition name',
      (s) => (s.video[0].name = '../etc'),
      'video[0].name:INVALID_FORMAT',
    ],
    [
      'shell metacharacters in a name',
      (s) => (s.audio[0].name = 'a;rm -rf'),
      'audio[0].name:INVALID_FORMAT',
    ],
    [
      'filter syntax in a name',
      (s) => (s.video[1].name = 'x[0:v]split'),
      'video[1].name:INVALID_FORMAT',
    ],
    ['width too large', (s) => (s.video[0].width = 4096), 'video[0].width:TOO_LARGE'],
    ['fractional width', (s) => (s.video[0].width = 1280.5), 'video[0].width:NOT_INTEGER'],
    [
      'bitrate as a string',
      (s) => Object.assign(s.video[0], { bitrateKbps: '3000' }),
      'video[0].bitrateKbps:NOT_INTEGER',
    ],
    ['huge bitrate', (s) => (s.video[0].bitrateKbps = 1e300), 'video[0].bitrateKbps:TOO_LARGE'],
    [
      'fps above 60',
      (s) => Object.assign(s.video[0], { framerateFps: 120 }),
      'video[0].framerateFps:TOO_LARGE',
    ],
    [
      'too many video renditions',
      (s) => (s.video = Array.from({ length: 9 }, (_, i) => ({ ...s.video[1], name: `v${i}` }))),
      'video:TOO_MANY',
    ],
    ['video not an array', (s) => Object.assign(s, { video: { a: 1 } }), 'video:NOT_AN_ARRAY'],
    [
      'segment duration 11',
      (s) => Object.assign(s, { output: { segmentDurationSec: 11 } }),
      'output.segmentDurationSec:TOO_LARGE',
    ],
    [
      'unknown format',
      (s) => Object.assign(s, { output: { formats: ['smooth'] } }),
      'output.formats:NOT_ALLOWED',
    ],
  ])('structural: %s', (_label, mutate, expected) => {
    const s = base() as ReturnType<typeof base> & Record<string, unknown>;
    mutate(s);
    expect(errorsOf(validateJobSpec(s))).toContain(expected);
  });

  it.each<[string, (s: ReturnType<typeof base> & Record<string, unknown>) => void, string]>([
    ['no renditions', (s) => Object.assign(s, { video: [], audio: [] }), 'video:NO_RENDITIONS'],
    [
      'duplicate names across video and audio',
      (s) => (s.audio[0].name = '720p'),
      'audio[0].name:DUPLICATE_NAME',
    ],
    ['odd height', (s) => (s.video[1].height = 361), 'video[1].height:ODD_DIMENSION'],
    [
      'maxrate below bitrate',
      (s) => Object.assign(s.video[0], { maxBitrateKbps: 2000 }),
      'video[0].maxBitrateKbps:MAXRATE_BELOW_BITRATE',
    ],
    [
      'x265 has no high profile',
      (s) => Object.assign(s.video[0], { codec: 'h265', profile: 'high' }),
      'video[0].profile:UNKNOWN_PROFILE',
    ],
    [
      'x265 has no baseline profile',
      (s) => Object.assign(s.video[0], { codec: 'h265', profile: 'baseline' }),
      'video[0].profile:UNKNOWN_PROFILE',
    ],
    [
      'svt-av1 presets are numbers',
      (s) => Object.assign(s.video[0], { codec: 'av1', preset: 'veryfast' }),
      'video[0].preset:UNKNOWN_PRESET',
    ],
    [
      'av1 in ts',
      (s) =>
        Object.assign(
          s,
          { output: { segmentFormat: 'ts' } },
          { video: [{ ...s.video[0], codec: 'av1' }] },
        ),
      'video[0].codec:CODEC_NEEDS_FMP4',
    ],
    [
      'av1 over srt keeping the input rate',
      (s) =>
        Object.assign(
          s,
          { input: { protocol: 'srt' } },
          { video: [{ ...s.video[0], codec: 'av1', preset: '10', framerateFps: undefined }] },
        ),
      'video[0].framerateFps:FRAMERATE_REQUIRED',
    ],
    [
      'opus in ts',
      (s) =>
        Object.assign(
          s,
          { output: { segmentFormat: 'ts' } },
          { audio: [{ name: 'o', codec: 'opus', bitrateKbps: 96 }] },
        ),
      'audio[0].codec:CODEC_NEEDS_FMP4',
    ],
    [
      'dash with mp3',
      (s) =>
        Object.assign(
          s,
          { output: { formats: ['dash'] } },
          { audio: [{ name: 'm', codec: 'mp3', bitrateKbps: 128 }] },
        ),
      'audio[0].codec:DASH_MP3_UNSUPPORTED',
    ],
    [
      'dash in ts',
      (s) => Object.assign(s, { output: { formats: ['hls', 'dash'], segmentFormat: 'ts' } }),
      'output.segmentFormat:CODEC_NEEDS_FMP4',
    ],
    [
      'opus at 44.1 kHz',
      (s) =>
        (s.audio = [{ name: 'o', codec: 'opus', bitrateKbps: 96, sampleRateHz: 44100 } as never]),
      'audio[0].sampleRateHz:SAMPLE_RATE_UNSUPPORTED',
    ],
    [
      'window shorter than 3 segments',
      (s) => Object.assign(s, { output: { segmentDurationSec: 4, windowSec: 10 } }),
      'output.windowSec:WINDOW_TOO_SHORT',
    ],
    [
      's3 without bucket',
      (s) => Object.assign(s, { output: { destination: { type: 's3' } } }),
      'output.destination.bucket:REQUIRED',
    ],
    [
      'http with a bucket',
      (s) =>
        Object.assign(s, {
          output: { destination: { type: 'http', baseUrl: 'http://o:8080', bucket: 'abc' } },
        }),
      'output.destination.bucket:FIELD_NOT_ALLOWED',
    ],
    [
      's3 prefix with ..',
      (s) =>
        Object.assign(s, {
          output: { destination: { type: 's3', bucket: 'media', prefix: 'a/../b' } },
        }),
      'output.destination.prefix:INVALID_FORMAT',
    ],
  ])('cross-field: %s', (_label, mutate, expected) => {
    const s = base() as ReturnType<typeof base> & Record<string, unknown>;
    mutate(s);
    expect(errorsOf(validateJobSpec(s))).toContain(expected);
  });

  it('accepts the legal variants of the cross-field rules', () => {
    const ts = { ...base(), output: { segmentFormat: 'ts', formats: ['hls'] } };
    expect(validateJobSpec(ts).ok).toBe(true);
    const av1 = {
      ...base(),
      video: [{ name: 'a', codec: 'av1', width: 640, height: 360, bitrateKbps: 600, preset: '10' }],
    };
    expect(validateJobSpec(av1).ok).toBe(true);
    const audioOnly = {
      name: 'radio',
      input: { protocol: 'srt' },
      audio: [{ name: 'o', codec: 'opus', bitrateKbps: 96 }],
    };
    expect(validateJobSpec(audioOnly).ok).toBe(true);
  });

  it.each([
    [
      {
        type: 's3',
        bucket: 'media',
        prefix: 'live/channels',
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:9000',
      },
    ],
    [{ type: 's3', bucket: 'media' }],
    [{ type: 'http', baseUrl: 'https://origin.example.com/ingest' }],
    [{ type: 'local' }],
  ])('accepts a valid destination %p unchanged', (destination) => {
    const r = validateJobSpec({ ...base(), output: { destination } });
    expect(errorsOf(r)).toEqual([]);
    expect(r.ok && r.spec.output.destination).toEqual(destination);
  });

  it('rejects nesting deeper than 8 levels without recursing into it', () => {
    let deep: Record<string, unknown> = {};
    const root = { ...base(), output: deep };
    for (let i = 0; i < 10_000; i++) deep = (deep.x = {}) as Record<string, unknown>;
    expect(errorsOf(validateJobSpec(root))).toEqual([expect.stringMatching(/:TOO_DEEP$/)]);
  });

  it('warns without rejecting', () => {
    const s = base();
    Object.assign(s.video[0], { maxBitrateKbps: 7000, preset: 'slow', width: 2560, height: 1440 });
    s.video[1].bitrateKbps = 50_00;
    const r = validateJobSpec({ ...s, input: { protocol: 'rtmp', reconnectWindowSec: 0 } });
    expect(r.ok).toBe(true);
    expect(warningsOf(r)).toEqual(
      expect.arrayContaining([
        'video[0].maxBitrateKbps:MAXRATE_HIGH',
        'video[0].preset:PRESET_SLOW',
        'video[0]:ABOVE_1080P',
        'video[1]:LADDER_NOT_DESCENDING',
        'input.reconnectWindowSec:NO_RECONNECT_WINDOW',
      ]),
    );
  });

  it('av1: a peak bitrate is a warning (not enforced); over rtmp or with a rate it needs no fps', () => {
    const av1 = { ...base().video[0], codec: 'av1', preset: '10', maxBitrateKbps: 4000 };
    const s = { ...base(), video: [av1] };
    const r = validateJobSpec(s); // rtmp: the worker probes the feed's rate before starting
    expect(r.ok).toBe(true);
    expect(warningsOf(r)).toContain('video[0].maxBitrateKbps:MAXRATE_IGNORED');
    const srt = validateJobSpec({
      ...s,
      input: { protocol: 'srt' },
      video: [{ ...av1, framerateFps: 30 }],
    });
    expect(srt.ok).toBe(true);
  });

  it('every error names a field path and a stable code', () => {
    const r = validateJobSpec({
      name: '',
      input: { protocol: 1, junk: true },
      video: [{}],
      audio: 'x',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    for (const e of r.errors) {
      expect(e.path).not.toBe('');
      expect(e.code).toMatch(/^[A-Z_]+$/);
    }
    expect(errorsOf(r)).toEqual(
      expect.arrayContaining([
        'name:TOO_SHORT',
        'input.protocol:NOT_ALLOWED',
        'input.junk:UNKNOWN_FIELD',
        'video[0].codec:REQUIRED',
        'audio:NOT_AN_ARRAY',
      ]),
    );
  });
});
