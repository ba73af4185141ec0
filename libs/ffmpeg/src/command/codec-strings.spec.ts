import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { audioCodecString, av1CodecString, withCodecs } from './codec-strings';

const box = (b1: number, b2: number) =>
  Buffer.concat([Buffer.from([0, 0, 0, 12]), Buffer.from('av1C'), Buffer.from([0x81, b1, b2, 0])]);

describe('av1CodecString', () => {
  it('reads profile, level, tier and bit depth from av1C', () => {
    expect(av1CodecString(box((0 << 5) | 4, 0x0c))).toBe('av01.0.04M.08');
    expect(av1CodecString(box((0 << 5) | 13, 0x80 | 0x40))).toBe('av01.0.13H.10');
    expect(av1CodecString(box((2 << 5) | 8, 0x40 | 0x20))).toBe('av01.2.08M.12');
    expect(av1CodecString(Buffer.from('no box here'))).toBeUndefined();
  });

  it('reads an SVT-AV1 init segment written by FFmpeg 5.1 (ffprobe: profile Main, level 1)', () => {
    const init = readFileSync(join(__dirname, '../../test/fixtures/av1-init-640x360.mp4'));
    expect(av1CodecString(init)).toBe('av01.0.01M.08');
  });
});

describe('withCodecs', () => {
  const master = [
    '#EXTM3U',
    '#EXT-X-STREAM-INF:BANDWIDTH=620400,RESOLUTION=640x360,AUDIO="group_audio"',
    '360p/index.m3u8',
    '#EXT-X-STREAM-INF:BANDWIDTH=950400,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"',
    'h264/index.m3u8',
  ].join('\n');

  it('adds CODECS to variants without it, leaves the others alone', () => {
    const out = withCodecs(master, {
      '360p/index.m3u8': 'av01.0.04M.08,mp4a.40.2',
      'h264/index.m3u8': 'x',
    });
    expect(out.split('\n')[1]).toBe(
      '#EXT-X-STREAM-INF:BANDWIDTH=620400,RESOLUTION=640x360,AUDIO="group_audio",CODECS="av01.0.04M.08,mp4a.40.2"',
    );
    expect(out.split('\n')[3]).toBe(master.split('\n')[3]);
  });

  it('audio codec strings', () => {
    expect(['aac', 'opus', 'mp3'].map((c) => audioCodecString(c as 'aac'))).toEqual([
      'mp4a.40.2',
      'Opus',
      'mp4a.40.34',
    ]);
  });
});
