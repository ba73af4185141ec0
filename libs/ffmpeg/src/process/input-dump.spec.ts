import { BELOW_WARNING, InputDumpParser, parseInputDump } from './input-dump';
import { LineRing } from './line-ring';

/** FFmpeg 5.1 with `-loglevel level+info`, reading an MPEG-TS feed (as an SRT listener does). */
const MPEGTS_DUMP = [
  "[info] Input #0, mpegts, from 'srt://0.0.0.0:9000?mode=listener':",
  '[info]   Duration: N/A, start: 1.400000, bitrate: N/A',
  '[info]   Program 1 ',
  '[info]     Metadata:',
  '[info]       service_name    : Service01',
  '[info]       service_provider: FFmpeg',
  '[info]   Stream #0:0[0x100]: Video: h264 (Constrained Baseline) ([27][0][0][0] / 0x001B), yuv420p(progressive), 426x240 [SAR 1:1 DAR 71:40], 25 fps, 25 tbr, 90k tbn',
  '[info]   Stream #0:1[0x101]: Audio: aac (LC) ([15][0][0][0] / 0x000F), 48000 Hz, stereo, fltp, 130 kb/s',
  '[info] Stream mapping:',
  '[info]   Stream #0:0 -> #0:0 (h264 (native) -> h264 (libx264))',
];

describe('FFmpeg input dump', () => {
  it('describes an MPEG-TS feed: codecs, size, frame rate, audio rate and channels', () => {
    expect(parseInputDump(MPEGTS_DUMP.slice(0, 8))).toEqual({
      formatName: 'mpegts',
      video: {
        codec: 'h264',
        profile: 'Constrained Baseline',
        width: 426,
        height: 240,
        fps: 25,
      },
      audio: { codec: 'aac', profile: 'LC', sampleRateHz: 48000, channels: 2, bitrateKbps: 130 },
      streamCount: 2,
    });
  });

  it('reports a feed FFmpeg prints as 30.30 fps (millisecond timestamps) at its nominal 30', () => {
    const dump = MPEGTS_DUMP.slice(0, 8).map((l) =>
      l.replace('25 fps, 25 tbr', '30.30 fps, 30 tbr'),
    );
    expect(dump.join('\n')).toContain('30.30 fps');
    expect(parseInputDump(dump)?.video?.fps).toBe(30);
  });

  it('reads the input block once, when it ends, and ignores the output dump after it', () => {
    const parser = new InputDumpParser();
    const results = [
      '[info] Opening an unrelated line',
      ...MPEGTS_DUMP,
      "[info] Input #0, flv, from 'other':",
      '[info]   Stream #0:0: Video: hevc (Main), yuv420p, 1920x1080, 60 fps',
      '[info] end',
    ].map((l) => parser.push(l));
    const found = results.filter((r) => r !== undefined);
    expect(found).toHaveLength(1);
    expect(results.indexOf(found[0])).toBe(1 + 8); // at "Stream mapping:", the first line after
    expect(found[0]?.video?.codec).toBe('h264');
  });

  it('handles a format bitrate, fractional rates, tbr only, mono, 5.1 and video-less feeds', () => {
    const info = parseInputDump([
      "[info] Input #0, mpegts, from 'srt://0.0.0.0:9000':",
      '[info]   Duration: N/A, start: 0.000000, bitrate: 4512 kb/s',
      '[info]   Stream #0:0[0x100]: Video: hevc (Main) ([36][0][0][0] / 0x0024), yuv420p(tv), 1920x1080, 29.97 tbr, 90k tbn',
      '[info]   Stream #0:1[0x101](eng): Audio: mp2 ([3][0][0][0] / 0x0003), 44100 Hz, mono, s16p, 64 kb/s',
    ]);
    expect(info).toMatchObject({
      bitrateKbps: 4512,
      // FFmpeg prints NTSC as 29.97; the nominal rate is the exact 30000/1001.
      video: { codec: 'hevc', profile: 'Main', width: 1920, height: 1080, fps: 30000 / 1001 },
      audio: { codec: 'mp2', sampleRateHz: 44100, channels: 1 },
    });
    expect(info.audio).not.toHaveProperty('profile');
    const surround = parseInputDump([
      "[info] Input #0, mpegts, from 'x':",
      '[info]   Stream #0:0[0x101]: Audio: ac3 ([129][0][0][0] / 0x0081), 48000 Hz, 5.1(side), fltp, 384 kb/s',
    ]);
    expect(surround).toEqual({
      formatName: 'mpegts',
      audio: { codec: 'ac3', sampleRateHz: 48000, channels: 6, bitrateKbps: 384 },
      streamCount: 1,
    });
  });

  it('keeps info lines out of the stderr ring, so warnings and errors stay in it', () => {
    const ring = new LineRing(3, (l) => !BELOW_WARNING.test(l));
    const lines = [
      '[error] first failure',
      "[hls @ 0x5563dd891200] [info] Opening 'seg_000.ts' for writing",
      '[info] frame=   76 fps=0.0',
      '[libx264 @ 0x5563dd88bcc0] [info] kb/s:873.25',
      '[srt @ 0x55f1] [error] Connection setup failure: Incorrect passphrase',
      '[warning] late',
    ];
    expect(ring.push(lines.join('\n') + '\n')).toEqual(lines);
    expect(ring.tail()).toEqual([lines[0], lines[4], lines[5]]);
  });
});
