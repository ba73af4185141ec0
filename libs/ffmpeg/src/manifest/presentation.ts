import { XMLSerializer, type Document, type Element } from '@xmldom/xmldom';
import {
  children,
  representationEndSec,
  segmentTemplateOf,
  resolveTemplate,
  writeTimeline,
  type MpdSegment,
  type RunMpd,
  type RunRepresentation,
} from './run-mpd';

/**
 * One job's live presentation across FFmpeg runs. FFmpeg 5.1's dash muxer starts every run as a
 * new presentation (new `availabilityStartTime`, `$Number$` and media time from the start), so
 * the worker keeps each run's MPD and stitches them: one Period per run on a common clock for
 * DASH, and HLS media playlists whose sequence continues with an `EXT-X-DISCONTINUITY` per run.
 * Everything that must not change between updates (the clock, each Period's start, each
 * playlist's sequence numbers) is decided once, when a run first shows segments, and kept in
 * this state, which the caller persists: older runs' MPDs are deleted with their segments.
 */
export interface PresentationState {
  /** `availabilityStartTime` of the stitched MPD: the first run's. */
  anchorMs: number;
  runs: RunEntry[];
}

export interface RunEntry {
  run: number;
  /** Runs before it that showed segments: its HLS discontinuity sequence. */
  ordinal: number;
  /** Period start, seconds after the anchor. */
  startSec: number;
  /** Period end (last segment end) as last seen, seconds after the anchor. */
  endSec: number;
  /** Per representation id: HLS media sequence number of the run's segment `$Number$` 1. */
  base: Record<string, number>;
  /** Per representation id: the sequence number after the run's last segment seen. */
  next: Record<string, number>;
}

export interface StitchRun {
  run: number;
  mpd: RunMpd;
}

export interface HlsOptions {
  /** Media playlist file name per representation id, relative to the master. */
  playlists: Record<string, string>;
  /** Rendition name per representation id (the audio `NAME`). */
  names: Record<string, string>;
  /** Segments listed per media playlist. */
  listSize: number;
}

export interface StitchOptions {
  nowMs: number;
  /** Live window: Periods (and segments of earlier runs) older than this are dropped. */
  windowSec: number;
  /** The job ended: a static MPD and `EXT-X-ENDLIST`. */
  ended: boolean;
  /** Also produce HLS playlists over the same segments. */
  hls?: HlsOptions;
  /** `CODECS` to use instead of the MPD's, per representation id (AV1 levels from init segments). */
  codecs?: Record<string, string>;
}

export interface StitchResult {
  state: PresentationState;
  mpd: string;
  /** Master and media playlists by file name. */
  hls?: Map<string, string>;
}

const seconds = (s: number): string => `PT${Number(s.toFixed(3))}S`;

/** Registers runs seen for the first time and refreshes what the newest run has written since. */
export function advanceState(
  prior: PresentationState | undefined,
  runs: StitchRun[],
  nowMs: number,
): PresentationState | undefined {
  let state = prior ? { ...prior, runs: prior.runs.map((r) => ({ ...r })) } : undefined;
  for (const { run, mpd } of [...runs].sort((a, b) => a.run - b.run)) {
    if (!mpd.representations.some((r) => r.segments.length > 0)) continue;
    const endOf = (startSec: number) =>
      startSec + Math.max(0, ...mpd.representations.map(representationEndSec));
    const nextOf = (base: Record<string, number>) =>
      Object.fromEntries(
        mpd.representations.map((r) => [
          r.id,
          (base[r.id] ?? 1) + (r.segments.at(-1)?.number ?? 0),
        ]),
      );
    const known = state?.runs.find((e) => e.run === run);
    if (known) {
      known.endSec = endOf(known.startSec);
      known.next = nextOf(known.base);
      continue;
    }
    const last = state?.runs.at(-1);
    if (state && last && run < last.run) continue; // an older run that never showed segments
    if (!state || !last) {
      // A run first seen after it ended has a static MPD without a clock: it ended about now.
      const anchorMs = mpd.availabilityStartMs || nowMs - endOf(0) * 1000;
      const base = Object.fromEntries(mpd.representations.map((r) => [r.id, 1]));
      state = {
        anchorMs,
        runs: [{ run, ordinal: 0, startSec: 0, endSec: endOf(0), base, next: nextOf(base) }],
      };
      continue;
    }
    // Never before the previous run's last segment ends, or the Periods would overlap.
    const clockSec = mpd.availabilityStartMs
      ? (mpd.availabilityStartMs - state.anchorMs) / 1000
      : (nowMs - state.anchorMs) / 1000 - endOf(0);
    const startSec = Math.max(clockSec, last.endSec);
    const base = Object.fromEntries(mpd.representations.map((r) => [r.id, last.next[r.id] ?? 1]));
    state.runs.push({
      run,
      ordinal: last.ordinal + 1,
      startSec,
      endSec: endOf(startSec),
      base,
      next: nextOf(base),
    });
  }
  return state;
}

interface Placed {
  entry: RunEntry;
  mpd: RunMpd;
}

/**
 * The stitched MPD and (optionally) HLS playlists for `runs` (each run's latest MPD). Returns
 * undefined until some run has written a segment.
 */
export function stitchPresentation(
  prior: PresentationState | undefined,
  runs: StitchRun[],
  o: StitchOptions,
): StitchResult | undefined {
  const state = advanceState(prior, runs, o.nowMs);
  if (!state) return undefined;
  const placed: Placed[] = state.runs.flatMap((entry) => {
    const found = runs.find((r) => r.run === entry.run);
    return found ? [{ entry, mpd: found.mpd }] : [];
  });
  const latest = placed.at(-1);
  if (!latest) return undefined;
  const result: StitchResult = { state, mpd: stitchMpd(state, placed, o) };
  if (o.hls) result.hls = hlsPlaylists(state, placed, o, o.hls);
  return result;
}

/** Presentation time (s after the anchor) at which `s` ends. */
const segmentEnd = (entry: RunEntry, r: RunRepresentation, s: MpdSegment): number =>
  entry.startSec + (s.t + s.d - r.presentationTimeOffset) / r.timescale;

/** The SegmentTemplate of representation `id` in a (copied) Period. */
function templateIn(period: Element, id: string): Element | undefined {
  for (const set of children(period, 'AdaptationSet'))
    for (const rep of children(set, 'Representation'))
      if (rep.getAttribute('id') === id) return segmentTemplateOf(rep);
  return undefined;
}

function stitchMpd(state: PresentationState, placed: Placed[], o: StitchOptions): string {
  const latest = placed[placed.length - 1];
  // The newest run's MPD element carries the muxer's attributes (profiles, minBufferTime, ...).
  const doc = latest.mpd.doc.cloneNode(true) as Document;
  const mpd = doc.documentElement as Element;
  for (const p of children(mpd, 'Period')) mpd.removeChild(p);
  while (mpd.lastChild?.nodeType === 3) mpd.removeChild(mpd.lastChild); // trailing whitespace
  const oldest = o.nowMs - o.windowSec * 1000;
  const periods: Element[] = [];
  for (const { entry, mpd: run } of placed) {
    const period = doc.importNode(run.period, true) as Element;
    period.setAttribute('id', `r${entry.run}`);
    period.setAttribute('start', seconds(entry.startSec));
    if (entry !== latest.entry && !o.ended) {
      // Earlier runs are frozen; drop their segments as they leave the window, then the Period.
      let kept = 0;
      for (const r of run.representations) {
        const live = r.segments.filter(
          (s) => state.anchorMs + segmentEnd(entry, r, s) * 1000 > oldest,
        );
        kept += live.length;
        const template = templateIn(period, r.id);
        if (template) writeTimeline(template, live);
      }
      if (kept === 0) continue;
    }
    periods.push(period);
  }
  for (const p of periods) {
    mpd.appendChild(doc.createTextNode('\n\t'));
    mpd.appendChild(p);
  }
  mpd.appendChild(doc.createTextNode('\n'));
  for (const a of [
    'availabilityStartTime',
    'publishTime',
    'minimumUpdatePeriod',
    'suggestedPresentationDelay',
    'timeShiftBufferDepth',
    'mediaPresentationDuration',
  ])
    mpd.removeAttribute(a);
  const maxSegmentSec = Number(
    /PT([\d.]+)S/.exec(mpd.getAttribute('maxSegmentDuration') ?? '')?.[1] ?? 2,
  );
  if (o.ended) {
    mpd.setAttribute('type', 'static');
    const end = state.runs[state.runs.length - 1].endSec;
    mpd.setAttribute('mediaPresentationDuration', seconds(end));
  } else {
    mpd.setAttribute('type', 'dynamic');
    mpd.setAttribute('availabilityStartTime', new Date(state.anchorMs).toISOString());
    mpd.setAttribute('publishTime', new Date(o.nowMs).toISOString());
    mpd.setAttribute('minimumUpdatePeriod', seconds(maxSegmentSec));
    mpd.setAttribute('suggestedPresentationDelay', seconds(maxSegmentSec));
    mpd.setAttribute('timeShiftBufferDepth', seconds(o.windowSec));
  }
  return new XMLSerializer().serializeToString(doc) + '\n';
}

interface HlsSegment {
  seq: number;
  ordinal: number;
  uri: string;
  init: string;
  durationSec: number;
  dateMs: number;
}

function hlsPlaylists(
  state: PresentationState,
  placed: Placed[],
  o: StitchOptions,
  h: HlsOptions,
): Map<string, string> {
  const out = new Map<string, string>();
  const latest = placed[placed.length - 1].mpd;
  for (const rep of latest.representations) {
    const name = h.playlists[rep.id];
    if (!name) continue;
    const all: HlsSegment[] = [];
    for (const { entry, mpd } of placed) {
      const r = mpd.representations.find((x) => x.id === rep.id);
      if (!r) continue;
      const base = entry.base[rep.id] ?? 1;
      for (const s of r.segments) {
        all.push({
          seq: base + s.number - 1,
          ordinal: entry.ordinal,
          uri: resolveTemplate(r.media, {
            id: r.id,
            bandwidth: r.bandwidth,
            number: s.number,
            time: s.t,
          }),
          init: r.init,
          durationSec: s.d / r.timescale,
          dateMs:
            state.anchorMs +
            (entry.startSec + (s.t - r.presentationTimeOffset) / r.timescale) * 1000,
        });
      }
    }
    const listed = all.slice(-h.listSize);
    out.set(name, mediaPlaylist(listed, o.ended));
  }
  out.set('master', masterPlaylist(latest, o, h));
  return out;
}

function mediaPlaylist(segments: HlsSegment[], ended: boolean): string {
  const target = Math.max(1, ...segments.map((s) => Math.round(s.durationSec)));
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${target}`,
    `#EXT-X-MEDIA-SEQUENCE:${segments[0]?.seq ?? 0}`,
    `#EXT-X-DISCONTINUITY-SEQUENCE:${segments[0]?.ordinal ?? 0}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  let prev: HlsSegment | undefined;
  for (const s of segments) {
    if (prev && prev.ordinal !== s.ordinal) lines.push('#EXT-X-DISCONTINUITY');
    if (!prev || prev.init !== s.init) lines.push(`#EXT-X-MAP:URI="${s.init}"`);
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.dateMs).toISOString()}`);
    lines.push(`#EXTINF:${s.durationSec.toFixed(6)},`, s.uri);
    prev = s;
  }
  if (ended) lines.push('#EXT-X-ENDLIST');
  return lines.join('\n') + '\n';
}

function frameRate(r: RunRepresentation): string | undefined {
  if (!r.frameRate) return undefined;
  const [n, d = '1'] = r.frameRate.split('/');
  const fps = Number(n) / Number(d);
  return Number.isFinite(fps) && fps > 0 ? fps.toFixed(3) : undefined;
}

/** Master playlist: video variants × audio groups (one per codec), or audio-only variants. */
function masterPlaylist(latest: RunMpd, o: StitchOptions, h: HlsOptions): string {
  const codecsOf = (r: RunRepresentation) => o.codecs?.[r.id] ?? r.codecs;
  const video = latest.representations.filter(
    (r) => r.contentType === 'video' && h.playlists[r.id],
  );
  const audio = latest.representations.filter(
    (r) => r.contentType === 'audio' && h.playlists[r.id],
  );
  const groups = new Map<string, RunRepresentation[]>();
  for (const a of audio) {
    const key = `audio-${codecsOf(a).split('.')[0]}`;
    groups.set(key, [...(groups.get(key) ?? []), a]);
  }
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const [group, members] of groups) {
    if (video.length === 0) break;
    members.forEach((a, i) =>
      lines.push(
        `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${group}",NAME="${h.names[a.id] ?? a.id}",` +
          `DEFAULT=${i === 0 ? 'YES' : 'NO'},AUTOSELECT=YES,URI="${h.playlists[a.id]}"`,
      ),
    );
  }
  for (const v of video) {
    const variants: Array<[string, RunRepresentation[]]> =
      groups.size > 0 ? [...groups] : [['', []]];
    for (const [group, members] of variants) {
      const audioBandwidth = Math.max(0, ...members.map((a) => a.bandwidth));
      const codecs = [codecsOf(v), ...(members[0] ? [codecsOf(members[0])] : [])].join(',');
      const fps = frameRate(v);
      lines.push(
        `#EXT-X-STREAM-INF:BANDWIDTH=${v.bandwidth + audioBandwidth},` +
          `RESOLUTION=${v.width}x${v.height},${fps ? `FRAME-RATE=${fps},` : ''}` +
          `CODECS="${codecs}"${group ? `,AUDIO="${group}"` : ''}`,
        h.playlists[v.id],
      );
    }
  }
  if (video.length === 0) {
    for (const a of audio) {
      lines.push(
        `#EXT-X-STREAM-INF:BANDWIDTH=${a.bandwidth},CODECS="${codecsOf(a)}"`,
        h.playlists[a.id],
      );
    }
  }
  return lines.join('\n') + '\n';
}
