import { FIXTURES } from '../../test/fixtures/job-specs';
import { GOLDEN_IO } from '../../test/fixtures/golden-io';
import { inputArgs } from './input-args.builder';
import { nextMediaSequence, withEndList } from './playlist-sequence';
import { buildTranscode } from './transcode.builder';

const after = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('restart inputs', () => {
  const restart = { ...GOLDEN_IO, runNumber: 4, startNumber: 37, discontinuity: true };

  it('HLS: continues the sequence, marks a discontinuity, never reuses a file name', () => {
    const { args } = buildTranscode(FIXTURES.h264HlsFmp4, restart);
    expect(after(args, '-start_number')).toBe('37');
    expect(after(args, '-hls_flags').split('+')).toEqual(
      expect.arrayContaining(['discont_start', 'omit_endlist', 'delete_segments']),
    );
    expect(after(args, '-hls_flags').split('+')).not.toContain('append_list');
    expect(after(args, '-hls_segment_filename')).toBe('/media/job1/%v/seg_r4_%05d.m4s');
    expect(after(args, '-hls_fmp4_init_filename')).toBe('init_r4_%v.mp4');
  });

  it('a first run has no discontinuity', () => {
    const { args } = buildTranscode(FIXTURES.h264HlsFmp4, GOLDEN_IO);
    expect(after(args, '-hls_flags')).not.toContain('discont_start');
    expect(after(args, '-start_number')).toBe('0');
  });

  it('DASH: the run number is in the init and media segment templates', () => {
    const { args } = buildTranscode(FIXTURES.hlsDash, restart);
    expect(after(args, '-init_seg_name')).toBe('init_$RepresentationID$_r4.$ext$');
    expect(after(args, '-media_seg_name')).toBe('seg_$RepresentationID$_r4_$Number%05d$.$ext$');
  });

  it('nextMediaSequence: media sequence plus listed segments, 0 when nothing was written', () => {
    const playlist = [
      '#EXTM3U',
      '#EXT-X-MEDIA-SEQUENCE:12',
      '#EXTINF:2.0,',
      'a.m4s',
      '#EXTINF:2.0,',
      'b.m4s',
    ];
    expect(nextMediaSequence(playlist.join('\n'))).toBe(14);
    expect(nextMediaSequence(playlist.slice(0, 1).join('\n'))).toBe(0);
    expect(nextMediaSequence(undefined)).toBe(0);
  });

  it("withEndList: ends a stopped job's playlist once; a restart still counts its segments", () => {
    const playlist = ['#EXTM3U', '#EXT-X-MEDIA-SEQUENCE:12', '#EXTINF:2.0,', 'a.m4s', ''].join(
      '\n',
    );
    const ended = withEndList(playlist);
    expect(ended).toBe(`${playlist}#EXT-X-ENDLIST\n`);
    expect(withEndList(ended)).toBe(ended);
    expect(nextMediaSequence(ended)).toBe(13);
  });
});

describe('input side', () => {
  it('RTMP pull from the gateway: live mode and an I/O timeout in microseconds', () => {
    const args = inputArgs({ kind: 'rtmp', url: 'rtmp://127.0.0.1/live/k' }, 'fast');
    expect(after(args, '-rtmp_live')).toBe('live');
    expect(after(args, '-rw_timeout')).toBe('10000000');
    expect(args.slice(-2)).toEqual(['-i', 'rtmp://127.0.0.1/live/k']);
  });

  it('SRT listener: passphrase and latency as options, not in the URL', () => {
    const args = inputArgs(
      { kind: 'srt', url: 'srt://0.0.0.0:9000', passphrase: 'correct horse', latencyMs: 200 },
      'default',
    );
    expect(args).toEqual([
      '-mode',
      'listener',
      '-latency',
      '200000',
      '-passphrase',
      'correct horse',
      '-i',
      'srt://0.0.0.0:9000',
    ]);
  });

  it('SRT passphrase length is checked against SRT limits', () => {
    expect(() =>
      inputArgs({ kind: 'srt', url: 'srt://0.0.0.0:9000', passphrase: 'short' }, 'fast'),
    ).toThrow(expect.objectContaining({ code: 'SRT_PASSPHRASE_LENGTH' }));
  });

  it('probe: fast bounds analyzeduration and probesize; default adds nothing', () => {
    const fast = inputArgs({ kind: 'url', url: 'x.flv' }, 'fast');
    expect(after(fast, '-analyzeduration')).toBe('500000');
    expect(after(fast, '-probesize')).toBe('500000');
    expect(fast).not.toContain('+nobuffer');
    expect(inputArgs({ kind: 'url', url: 'x.flv' }, 'default')).toEqual(['-i', 'x.flv']);
    expect(inputArgs({ kind: 'url', url: 'x.flv', realtime: true }, 'default')).toEqual([
      '-re',
      '-i',
      'x.flv',
    ]);
  });
});
