import { DOMParser, type Document, type Element } from '@xmldom/xmldom';

/** One media segment of a representation, in the representation's timescale. */
export interface MpdSegment {
  /** `$Number$` of the segment. */
  number: number;
  /** Media time of its start (before `presentationTimeOffset` is taken off). */
  t: number;
  d: number;
}

export interface RunRepresentation {
  id: string;
  contentType: 'video' | 'audio';
  bandwidth: number;
  codecs: string;
  width?: number;
  height?: number;
  frameRate?: string;
  sampleRateHz?: number;
  timescale: number;
  presentationTimeOffset: number;
  /** Initialization segment file name (template resolved). */
  init: string;
  /** Media template (`$Number%05d$` etc. unresolved). */
  media: string;
  segments: MpdSegment[];
  /** The `SegmentTemplate` element, rewritten when old segments are dropped. */
  template: Element;
}

/** One FFmpeg run's MPD: dashenc writes exactly one Period per run. */
export interface RunMpd {
  /** `availabilityStartTime` in epoch ms (0 when the MPD is static and has none). */
  availabilityStartMs: number;
  dynamic: boolean;
  doc: Document;
  period: Element;
  representations: RunRepresentation[];
}

export const MPD_NS = 'urn:mpeg:dash:schema:mpd:2011';

/** Child elements of `el` named `name` (any namespace prefix). */
export const children = (el: Element, name: string): Element[] =>
  Array.from(el.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (n as Element).localName === name,
  );

const child = (el: Element, name: string): Element | undefined => children(el, name)[0];

/** A Representation's SegmentTemplate: its own, else its AdaptationSet's. */
export function segmentTemplateOf(rep: Element): Element | undefined {
  const set = rep.parentNode as Element | null;
  return child(rep, 'SegmentTemplate') ?? (set ? child(set, 'SegmentTemplate') : undefined);
}

const num = (el: Element, attr: string, fallback?: number): number => {
  const v = el.getAttribute(attr);
  if (v === null || v === '') {
    if (fallback === undefined) throw new Error(`MPD: <${el.localName}> has no ${attr}`);
    return fallback;
  }
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`MPD: <${el.localName} ${attr}="${v}"> is not a number`);
  return n;
};

/** Fills `$RepresentationID$`, `$Number%05d$`, `$Time$`, `$Bandwidth$` and `$$` (ISO 23009-1 5.3.9.4.4). */
export function resolveTemplate(
  template: string,
  values: { id: string; bandwidth: number; number?: number; time?: number },
): string {
  return template.replace(
    /\$(RepresentationID|Number|Time|Bandwidth|)(%0(\d+)d)?\$/g,
    (m, key, _f, width) => {
      if (key === '') return '$';
      const value =
        key === 'RepresentationID'
          ? values.id
          : key === 'Bandwidth'
            ? String(values.bandwidth)
            : key === 'Number'
              ? values.number
              : values.time;
      if (value === undefined) throw new Error(`MPD: template ${template} needs $${key}$`);
      return width ? String(value).padStart(Number(width), '0') : String(value);
    },
  );
}

/** Expands a `SegmentTimeline` (`t`, `d`, `r` with `r ≥ 0`) into one entry per segment. */
export function expandTimeline(template: Element): MpdSegment[] {
  const timeline = child(template, 'SegmentTimeline');
  if (!timeline) throw new Error('MPD: SegmentTemplate without SegmentTimeline');
  let number = num(template, 'startNumber', 1);
  let t = 0;
  const out: MpdSegment[] = [];
  for (const s of children(timeline, 'S')) {
    t = num(s, 't', t);
    const d = num(s, 'd');
    const repeat = num(s, 'r', 0);
    if (repeat < 0) throw new Error('MPD: open-ended S@r is not produced by dashenc');
    for (let i = 0; i <= repeat; i++) {
      out.push({ number: number++, t, d });
      t += d;
    }
  }
  return out;
}

/** Writes `segments` back into `template` (compact `S` runs, `startNumber`). */
export function writeTimeline(template: Element, segments: MpdSegment[]): void {
  const doc = template.ownerDocument as Document;
  const timeline = child(template, 'SegmentTimeline') as Element;
  while (timeline.firstChild) timeline.removeChild(timeline.firstChild);
  if (segments[0]) template.setAttribute('startNumber', String(segments[0].number));
  let i = 0;
  while (i < segments.length) {
    const first = segments[i];
    let repeat = 0;
    while (
      i + repeat + 1 < segments.length &&
      segments[i + repeat + 1].d === first.d &&
      segments[i + repeat + 1].t === segments[i + repeat].t + first.d
    )
      repeat++;
    const s = doc.createElementNS(MPD_NS, 'S');
    s.setAttribute('t', String(first.t));
    s.setAttribute('d', String(first.d));
    if (repeat > 0) s.setAttribute('r', String(repeat));
    timeline.appendChild(s);
    i += repeat + 1;
  }
}

/** Parses one run's MPD as FFmpeg's dash muxer writes it (SegmentTemplate + SegmentTimeline). */
export function parseRunMpd(xml: string): RunMpd {
  const doc = new DOMParser().parseFromString(xml, 'application/xml');
  const mpd = doc.documentElement;
  if (!mpd || mpd.localName !== 'MPD') throw new Error('MPD: no <MPD> root');
  const periods = children(mpd, 'Period');
  if (periods.length !== 1) throw new Error(`MPD: expected one Period, found ${periods.length}`);
  const period = periods[0];
  const representations: RunRepresentation[] = [];
  for (const set of children(period, 'AdaptationSet')) {
    for (const rep of children(set, 'Representation')) {
      const template = segmentTemplateOf(rep);
      if (!template) throw new Error('MPD: Representation without SegmentTemplate');
      const mime = rep.getAttribute('mimeType') ?? set.getAttribute('mimeType') ?? '';
      const type = set.getAttribute('contentType') ?? mime.split('/')[0];
      if (type !== 'video' && type !== 'audio') continue;
      const id = rep.getAttribute('id') ?? '';
      const bandwidth = num(rep, 'bandwidth');
      representations.push({
        id,
        contentType: type,
        bandwidth,
        codecs: rep.getAttribute('codecs') ?? set.getAttribute('codecs') ?? '',
        ...(type === 'video'
          ? {
              width: num(rep, 'width'),
              height: num(rep, 'height'),
              frameRate:
                rep.getAttribute('frameRate') ?? set.getAttribute('frameRate') ?? undefined,
            }
          : { sampleRateHz: num(rep, 'audioSamplingRate', 0) || undefined }),
        timescale: num(template, 'timescale', 1),
        presentationTimeOffset: num(template, 'presentationTimeOffset', 0),
        init: resolveTemplate(template.getAttribute('initialization') ?? '', { id, bandwidth }),
        media: template.getAttribute('media') ?? '',
        segments: expandTimeline(template),
        template,
      });
    }
  }
  const ast = mpd.getAttribute('availabilityStartTime');
  return {
    availabilityStartMs: ast ? Date.parse(ast) : 0,
    dynamic: mpd.getAttribute('type') === 'dynamic',
    doc,
    period,
    representations,
  };
}

/** End of a representation's last segment, in seconds of its period. */
export function representationEndSec(r: RunRepresentation): number {
  const last = r.segments.at(-1);
  return last ? (last.t + last.d - r.presentationTimeOffset) / r.timescale : 0;
}
