import { Parser } from 'm3u8-parser';
import { stitchPresentation, type PresentationState, type StitchOptions } from './presentation';
import { dashencMpd, T0, VIDEO_TS, type RunShape } from '../../test/fixtures/dashenc-mpd';
import { expandTimeline, parseRunMpd, resolveTemplate, writeTimeline } from './run-mpd';

const HLS = {
  playlists: { '0': 'media_0.m3u8', '1': 'media_1.m3u8' },
  names: { '0': '360p', '1': 'audio' },
  listSize: 10,
};

function options(nowSec: number, extra: Partial<StitchOptions> = {}): StitchOptions {
  return { nowMs: T0 + nowSec * 1000, windowSec: 20, ended: false, hls: HLS, ...extra };
}

function stitch(state: PresentationState | undefined, shapes: RunShape[], o: StitchOptions) {
  const runs = shapes.map((s) => ({ run: s.run, mpd: parseRunMpd(dashencMpd(s)) }));
  const out = stitchPresentation(state, runs, o);
  if (!out) throw new Error('nothing stitched');
  return out;
}

function periods(mpd: string): Array<{ id: string; start: string; startNumber: string[] }> {
  return [...mpd.matchAll(/<Period id="([^"]+)" start="([^"]+)">([\s\S]*?)<\/Period>/g)].map(
    (m) => ({
      id: m[1],
      start: m[2],
      startNumber: [...m[3].matchAll(/startNumber="(\d+)"/g)].map((n) => n[1]),
    }),
  );
}

function hls(text: string | undefined) {
  const parser = new Parser();
  parser.push(text ?? '');
  parser.end();
  return parser.manifest;
}

const attr = (xml: string, name: string) => new RegExp(` ${name}="([^"]*)"`).exec(xml)?.[1];

describe('stitchPresentation: one run', () => {
  it('keeps the run as Period r<run> on its own clock, live, with HLS from the same segments', () => {
    const {
      mpd,
      hls: playlists,
      state,
    } = stitch(undefined, [{ run: 1001, astSec: 0, first: 2, count: 3 }], options(8));
    expect(state.anchorMs).toBe(T0);
    expect(attr(mpd, 'type')).toBe('dynamic');
    expect(attr(mpd, 'availabilityStartTime')).toBe('2026-12-03T10:00:00.000Z');
    expect(attr(mpd, 'timeShiftBufferDepth')).toBe('PT20S');
    expect(attr(mpd, 'minimumUpdatePeriod')).toBe('PT2S');
    expect(attr(mpd, 'publishTime')).toBe('2026-12-03T10:00:08.000Z');
    expect(periods(mpd)).toEqual([{ id: 'r1001', start: 'PT0S', startNumber: ['2', '2'] }]);

    const video = hls(playlists?.get('media_0.m3u8'));
    expect(video.mediaSequence).toBe(2);
    expect(video.discontinuitySequence).toBe(0);
    expect(video.endList).toBeUndefined();
    expect(video.segments.map((s) => [s.uri, s.duration, s.map?.uri])).toEqual([
      ['seg_0_r1001_00002.m4s', 2, 'init_0_r1001.m4s'],
      ['seg_0_r1001_00003.m4s', 2, 'init_0_r1001.m4s'],
      ['seg_0_r1001_00004.m4s', 2, 'init_0_r1001.m4s'],
    ]);
    expect(video.segments[0].dateTimeString).toBe('2026-12-03T10:00:02.000Z');

    const master = hls(playlists?.get('master'));
    expect(master.playlists?.map((p) => [p.uri, p.attributes])).toEqual([
      [
        'media_0.m3u8',
        {
          BANDWIDTH: 864000,
          RESOLUTION: { width: 640, height: 360 },
          'FRAME-RATE': 30,
          CODECS: 'avc1.64001f,mp4a.40.2',
          AUDIO: 'audio-mp4a',
        },
      ],
    ]);
    expect(master.mediaGroups?.AUDIO?.['audio-mp4a'].audio).toMatchObject({
      uri: 'media_1.m3u8',
      default: true,
    });
  });

  it('writes nothing until a run has a segment', () => {
    const empty = dashencMpd({ run: 1, astSec: 0, first: 1, count: 1 }).replace(
      /<SegmentTimeline>.*?<\/SegmentTimeline>/g,
      '<SegmentTimeline></SegmentTimeline>',
    );
    expect(stitchPresentation(undefined, [{ run: 1, mpd: parseRunMpd(empty) }], options(1))).toBe(
      undefined,
    );
  });

  it('dates a run first seen after it ended (static, no clock) from now', () => {
    const { state } = stitch(undefined, [{ run: 1, first: 1, count: 5 }], options(30));
    expect(state.anchorMs).toBe(T0 + 20_000); // ended at 30 s after 10 s of media
  });
});

describe('stitchPresentation: restarts', () => {
  const run1 = { run: 1001, astSec: 0, first: 1, count: 4 }; // media 0–8 s
  const run2 = { run: 1002, astSec: 11, first: 1, count: 3 }; // restarted 11 s after run 1

  it('adds a Period on the first run’s clock and continues each HLS sequence after a discontinuity', () => {
    const s1 = stitch(undefined, [run1], options(8)).state;
    const { mpd, hls: playlists } = stitch(s1, [run1, run2], options(17));
    expect(attr(mpd, 'availabilityStartTime')).toBe('2026-12-03T10:00:00.000Z');
    expect(periods(mpd).map((p) => [p.id, p.start])).toEqual([
      ['r1001', 'PT0S'],
      ['r1002', 'PT11S'],
    ]);
    for (const name of ['media_0.m3u8', 'media_1.m3u8']) {
      const m = hls(playlists?.get(name));
      expect(m.mediaSequence).toBe(1);
      expect(m.segments.map((s) => s.discontinuity ?? false)).toEqual([
        false,
        false,
        false,
        false,
        true,
        false,
        false,
      ]);
      expect(m.segments[4].uri).toMatch(/_r1002_00001\.m4s$/);
      expect(m.segments[4].map?.uri).toMatch(/_r1002\.m4s$/);
      expect(m.segments[3].map?.uri).toMatch(/_r1001\.m4s$/);
      // The gap is real time without media: the date says when the new run's media starts.
      expect(m.segments[4].dateTimeString).toBe('2026-12-03T10:00:11.000Z');
    }
  });

  it('never starts a Period before the previous run’s media ends', () => {
    const s1 = stitch(undefined, [run1], options(8)).state;
    const early = { ...run2, astSec: 5 }; // clock says 5 s, run 1's media runs to 8 s
    const { mpd } = stitch(s1, [run1, early], options(12));
    expect(periods(mpd)[1].start).toBe('PT8S');
  });

  it('keeps Period starts and sequence numbers once the earlier run’s MPD is gone', () => {
    const s1 = stitch(undefined, [run1], options(8)).state;
    const s2 = stitch(s1, [run1, run2], options(17)).state;
    // The housekeeping deleted run 1's files; run 2 moved on to segments 3–6.
    const later = { ...run2, first: 3, count: 4 };
    const { mpd, hls: playlists, state } = stitch(s2, [later], options(23));
    expect(periods(mpd)).toEqual([{ id: 'r1002', start: 'PT11S', startNumber: ['3', '3'] }]);
    const m = hls(playlists?.get('media_0.m3u8'));
    // Run 2's segment 1 was sequence 5, so its segment 3 is 7; one discontinuity has left.
    expect(m.mediaSequence).toBe(7);
    expect(m.discontinuitySequence).toBe(1);
    expect(m.segments.some((s) => s.discontinuity)).toBe(false);
    expect(state.runs.map((r) => [r.run, r.ordinal, r.startSec])).toEqual([
      [1001, 0, 0],
      [1002, 1, 11],
    ]);
  });

  it('drops an earlier run’s segments as they leave the window, then its Period', () => {
    const s1 = stitch(undefined, [run1], options(8)).state;
    const s2 = stitch(s1, [run1, run2], options(17)).state;
    // 26 s: the window starts at 6 s, so only run 1's last segment (6–8 s) is still in it.
    const partly = stitch(s2, [run1, run2], options(26)).mpd;
    expect(periods(partly).map((p) => [p.id, p.startNumber])).toEqual([
      ['r1001', ['4', '4']],
      ['r1002', ['1', '1']],
    ]);
    expect(
      expandTimeline(
        parseRunMpd(partly.replace(/<Period id="r1002"[\s\S]*?<\/Period>/, '')).representations[0]
          .template,
      ),
    ).toEqual([{ number: 4, t: 6 * VIDEO_TS, d: 2 * VIDEO_TS }]);
    const gone = stitch(s2, [run1, run2], options(28.5)).mpd;
    expect(periods(gone).map((p) => p.id)).toEqual(['r1002']);
  });

  it('lists at most listSize segments across runs', () => {
    const s1 = stitch(undefined, [run1], options(8)).state;
    const { hls: playlists } = stitch(
      s1,
      [run1, run2],
      options(17, { hls: { ...HLS, listSize: 5 } }),
    );
    const m = hls(playlists?.get('media_0.m3u8'));
    expect(m.mediaSequence).toBe(3);
    expect(m.segments.map((s) => s.uri)).toEqual([
      'seg_0_r1001_00003.m4s',
      'seg_0_r1001_00004.m4s',
      'seg_0_r1002_00001.m4s',
      'seg_0_r1002_00002.m4s',
      'seg_0_r1002_00003.m4s',
    ]);
  });

  it('ends the presentation: a static MPD with every Period, and EXT-X-ENDLIST', () => {
    const s1 = stitch(undefined, [run1], options(8)).state;
    const { mpd, hls: playlists } = stitch(s1, [run1, run2], options(40, { ended: true }));
    expect(attr(mpd, 'type')).toBe('static');
    expect(attr(mpd, 'mediaPresentationDuration')).toBe('PT17S');
    expect(attr(mpd, 'availabilityStartTime')).toBeUndefined();
    expect(attr(mpd, 'minimumUpdatePeriod')).toBeUndefined();
    expect(periods(mpd).map((p) => p.id)).toEqual(['r1001', 'r1002']);
    expect(hls(playlists?.get('media_1.m3u8')).endList).toBe(true);
  });

  it('ignores an older run that shows segments only after a newer one was registered', () => {
    const s2 = stitch(undefined, [run2], options(17)).state;
    const { state, mpd } = stitch(s2, [run1, run2], options(18));
    expect(state.runs.map((r) => r.run)).toEqual([1002]);
    expect(periods(mpd).map((p) => p.id)).toEqual(['r1002']);
  });
});

describe('MPD templates and timelines', () => {
  it('resolves the identifiers dashenc and other packagers use', () => {
    const values = { id: '2', bandwidth: 64000, number: 7, time: 96256 };
    expect(resolveTemplate('seg_$RepresentationID$_r3_$Number%05d$.m4s', values)).toBe(
      'seg_2_r3_00007.m4s',
    );
    expect(resolveTemplate('$Bandwidth$/$Time$-$Number$$$.mp4', values)).toBe('64000/96256-7$.mp4');
    expect(() => resolveTemplate('$Time$', { id: '1', bandwidth: 1 })).toThrow(/\$Time\$/);
  });

  it('expands S@r and writes the same segments back compactly', () => {
    const mpd = parseRunMpd(
      dashencMpd({ run: 1, astSec: 0, first: 5, count: 3 }).replace(
        '</SegmentTimeline>',
        '<S d="512" /></SegmentTimeline>',
      ),
    );
    const template = mpd.representations[0].template;
    const segments = expandTimeline(template);
    expect(segments).toEqual([
      { number: 5, t: 8 * VIDEO_TS, d: 2 * VIDEO_TS },
      { number: 6, t: 10 * VIDEO_TS, d: 2 * VIDEO_TS },
      { number: 7, t: 12 * VIDEO_TS, d: 2 * VIDEO_TS },
      { number: 8, t: 14 * VIDEO_TS, d: 512 },
    ]);
    writeTimeline(template, segments.slice(1));
    expect(template.getAttribute('startNumber')).toBe('6');
    expect(expandTimeline(template)).toEqual(segments.slice(1));
    expect(template.getElementsByTagName('S').length).toBe(2);
  });

  it('refuses an MPD it cannot stitch, with the reason', () => {
    expect(() => parseRunMpd('<nope/>')).toThrow(/no <MPD> root/);
    const two = dashencMpd({ run: 1, astSec: 0, first: 1, count: 1 }).replace(
      '</MPD>',
      '<Period id="1"/></MPD>',
    );
    expect(() => parseRunMpd(two)).toThrow(/expected one Period, found 2/);
  });
});
