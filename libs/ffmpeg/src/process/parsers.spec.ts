import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyExit, exitReasonLine } from './exit-classifier';
import { LineRing } from './line-ring';
import { gopFrames } from '../command/video-encoder-args.builder';
import { nominalFps, parseProbe, parseRate } from './probe-parser';
import { parseProgress, ProgressSplitter } from './progress-parser';

const PROGRESS = `frame=301
fps=29.97
stream_0_0_q=28.0
bitrate= 812.3kbits/s
total_size=1015808
out_time_us=10033333
out_time_ms=10033333
out_time=00:00:10.033333
dup_frames=2
drop_frames=1
speed=1.02x
progress=continue
`;

describe('parseProgress', () => {
  it('types every field of a block', () => {
    expect(parseProgress(PROGRESS)).toEqual({
      frame: 301,
      fps: 29.97,
      bitrateKbps: 812.3,
      totalSizeBytes: 1015808,
      outTimeSec: 10.033333,
      speed: 1.02,
      dupFrames: 2,
      dropFrames: 1,
      done: false,
    });
  });

  it('N/A and the pre-roll negative time become undefined; progress=end is done', () => {
    const p = parseProgress(
      'bitrate=N/A\ntotal_size=N/A\nout_time_us=-9223372036854775807\nspeed=N/A\nprogress=end\n',
    );
    expect(p).toMatchObject({
      bitrateKbps: undefined,
      totalSizeBytes: undefined,
      outTimeSec: undefined,
      speed: undefined,
      done: true,
    });
  });

  it('ProgressSplitter reassembles blocks from arbitrary chunks', () => {
    const stream = PROGRESS + PROGRESS.replace('frame=301', 'frame=331').replace('continue', 'end');
    const splitter = new ProgressSplitter();
    const blocks = [];
    for (let i = 0; i < stream.length; i += 7)
      blocks.push(...splitter.push(stream.slice(i, i + 7)));
    expect(blocks.map((b) => [b.frame, b.done])).toEqual([
      [301, false],
      [331, true],
    ]);
  });
});

describe('LineRing', () => {
  it('keeps only the last N lines under a flood, joining split chunks', () => {
    const ring = new LineRing(3);
    ring.push('a\nb');
    ring.push('c\nd\ne\n');
    expect(ring.tail()).toEqual(['bc', 'd', 'e']);
    for (let i = 0; i < 10_000; i++) ring.push(`line ${i}\n`);
    expect(ring.tail()).toEqual(['line 9997', 'line 9998', 'line 9999']);
    // 4 lines, then 10 000 more, 3 kept.
    expect(ring.droppedCount).toBe(10_004 - 3);
  });

  it('bounds an unterminated line', () => {
    const ring = new LineRing(2);
    ring.push('x'.repeat(10_000));
    expect(ring.tail().every((l) => l.length <= 10_000)).toBe(true);
    expect(ring.tail()[0].length).toBe(4096);
  });
});

describe('classifyExit', () => {
  const tail = (s: string) => [s];
  it.each([
    [{ code: 0, signal: null, stopRequested: false, stderrTail: [] }, 'clean'],
    [
      {
        code: 255,
        signal: null,
        stopRequested: true,
        stderrTail: tail('Exiting normally, received signal 15.'),
      },
      'stopped',
    ],
    [{ code: null, signal: 'SIGKILL' as const, stopRequested: true, stderrTail: [] }, 'stopped'],
    [{ code: null, signal: 'SIGKILL' as const, stopRequested: false, stderrTail: [] }, 'signal'],
    [
      {
        code: 255,
        signal: null,
        stopRequested: false,
        stderrTail: tail('Exiting normally, received signal 2.'),
      },
      'signal',
    ],
    [
      {
        code: 1,
        signal: null,
        stopRequested: false,
        stderrTail: tail('[error] rtmp://x: Input/output error'),
      },
      'input-lost',
    ],
    [
      {
        code: 1,
        signal: null,
        stopRequested: false,
        stderrTail: tail('[error] Connection timed out'),
      },
      'input-lost',
    ],
    [
      {
        code: 1,
        signal: null,
        stopRequested: false,
        stderrTail: tail('[error] Unrecognized option'),
      },
      'error',
    ],
  ])('%j → %s', (facts, kind) => {
    expect(classifyExit(facts).kind).toBe(kind);
  });
});

describe('parseProbe', () => {
  const fixture = (n: string) =>
    readFileSync(join(__dirname, '../../test/fixtures/probe', n), 'utf8');

  it('reads an RTMP-like FLV (h264 + stereo aac)', () => {
    const info = parseProbe(fixture('rtmp-like-flv.json'));
    expect(info.formatName).toBe('flv');
    expect(info.video).toMatchObject({
      codec: 'h264',
      width: 640,
      height: 360,
      fps: 30,
      pixelFormat: 'yuv420p',
    });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRateHz: 48000, channels: 2 });
    expect(info.streamCount).toBe(2);
    expect(info.durationSec).toBeCloseTo(10, 0);
  });

  it('reads NTSC rates and mono audio from an MP4', () => {
    const info = parseProbe(fixture('ntsc-mono-mp4.json'));
    expect(info.video?.fps).toBeCloseTo(29.97, 2);
    expect(info.video?.profile).toBe('Constrained Baseline');
    expect(info.video?.bitrateKbps).toBeGreaterThan(0);
    expect(info.audio).toMatchObject({ sampleRateHz: 44100, channels: 1 });
  });

  it('takes a live FLV probe that measured 1000/33 fps as the 30 fps it is', () => {
    // Whole-millisecond FLV timestamps: ffprobe saw frames 33 ms apart.
    const json = fixture('rtmp-like-flv.json').replace(
      '"avg_frame_rate": "30/1"',
      '"avg_frame_rate": "1000/33"',
    );
    expect(json).toContain('1000/33');
    expect(parseProbe(json).video?.fps).toBe(30);
  });

  it('typed errors for no streams and non-JSON', () => {
    expect(() => parseProbe('{"streams":[]}')).toThrow(
      expect.objectContaining({ code: 'PROBE_NO_STREAMS' }),
    );
    expect(() => parseProbe('oops')).toThrow(expect.objectContaining({ code: 'PROBE_FAILED' }));
  });

  it('parseRate', () => {
    expect(parseRate('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseRate('0/0')).toBeUndefined();
    expect(parseRate('25')).toBe(25);
  });
});

describe('nominalFps', () => {
  it.each([
    [1000 / 33, 30], // 30 fps over RTMP: frames 33 or 34 ms apart
    [1000 / 34, 30000 / 1001],
    [1000 / 17, 60000 / 1001], // 60 fps: 16 or 17 ms
    [1000 / 16, 60],
    [1000 / 40, 25],
    [1000 / 66, 15],
    [30000 / 1001, 30000 / 1001],
    [24, 24],
    [7, 7], // nothing standard within 5 %: kept as measured
    [37.5, 37.5],
  ])('%d fps → %d', (measured, nominal) => {
    expect(nominalFps(measured)).toBeCloseTo(nominal, 6);
  });

  it('gives a GOP of exactly one segment for the rates an FLV probe measures at 30 fps', () => {
    for (const measured of [1000 / 33, 1000 / 34])
      expect(gopFrames({ segmentDurationSec: 2, fps: nominalFps(measured) })).toBe(60);
    // What the raw measurement gave: 61 and 59 frames.
    expect(gopFrames({ segmentDurationSec: 2, fps: 1000 / 34 })).toBe(59);
  });

  it('has no rate for nothing, zero or NaN', () => {
    expect(nominalFps(undefined)).toBeUndefined();
    expect(nominalFps(0)).toBeUndefined();
    expect(nominalFps(Number.NaN)).toBeUndefined();
  });
});

describe('exitReasonLine', () => {
  it('picks the OS error over the generic lines FFmpeg prints after it (seen on 5.1)', () => {
    const tail = [
      "[hls @ 0x55] [error] Failed to open segment 'init_r1004_240p.mp4'",
      '[error] Could not write header for output file #0 (incorrect codec parameters ?): Read-only file system',
      '[error] Error initializing output stream 0:0 -- ',
      '[aac @ 0x55] [warning] 2 frames left in the queue on closing',
    ];
    expect(exitReasonLine(tail)).toBe(tail[1]);
  });

  it('else the last line stating a failure, not the closing chatter after it', () => {
    const tail = [
      'frame=  120 fps= 30 q=-1.0 size=N/A time=00:00:04.00 bitrate=N/A speed=1.0x',
      '[libx264 @ 0x55] [error] broken ffmpeg default settings detected',
      '[aac @ 0x55] 2 frames left in the queue on closing',
    ];
    expect(exitReasonLine(tail)).toBe(tail[1]);
  });

  it('falls back to the last line, or says there was none', () => {
    expect(exitReasonLine(['starting', 'bye'])).toBe('bye');
    expect(exitReasonLine([])).toBe('no stderr');
  });
});
