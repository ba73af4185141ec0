import { ProcessError } from './process-error';

export interface VideoInfo {
  codec: string;
  profile?: string;
  width: number;
  height: number;
  /** Frame rate: the measured average (else the stream's rate) as {@link nominalFps}. */
  fps?: number;
  pixelFormat?: string;
  bitrateKbps?: number;
}

export interface AudioInfo {
  codec: string;
  profile?: string;
  sampleRateHz: number;
  channels: number;
  bitrateKbps?: number;
}

export interface InputInfo {
  formatName?: string;
  durationSec?: number;
  bitrateKbps?: number;
  /** First video and audio streams: what the transcode maps (`0:v:0`, `0:a:0`). */
  video?: VideoInfo;
  audio?: AudioInfo;
  streamCount: number;
}

interface RawStream {
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  pix_fmt?: string;
  bit_rate?: string;
  sample_rate?: string;
  channels?: number;
}

interface RawProbe {
  streams?: RawStream[];
  format?: { format_name?: string; duration?: string; bit_rate?: string };
}

/** "30000/1001" → 29.97; "0/0" → undefined. */
export function parseRate(rate: string | undefined): number | undefined {
  if (!rate) return undefined;
  const [n, d = '1'] = rate.split('/');
  const v = Number(n) / Number(d);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Rates sources send: webcam rates, film, PAL and NTSC and their multiples. */
const STANDARD_FPS = [
  10,
  12,
  12.5,
  15,
  20,
  24000 / 1001,
  24,
  25,
  30000 / 1001,
  30,
  48,
  50,
  60000 / 1001,
  60,
  90,
  100,
  120000 / 1001,
  120,
];
const SNAP_TOLERANCE = 0.05;

/**
 * A measured frame rate as the source's nominal one. RTMP (FLV) timestamps are whole
 * milliseconds, so a 30 fps feed's frames are 33 or 34 ms apart and a short look at a live feed
 * measures 30.3 or 29.4 fps. The GOP (segment duration × fps) would then be 61 or 59 frames,
 * and at 59 x264 adds a keyframe of its own next to every forced one (docs/ffmpeg.md).
 * A rate within 5 % of a standard one is taken to be the nearest standard rate; others stay.
 */
export function nominalFps(measured: number | undefined): number | undefined {
  if (measured === undefined || !(measured > 0)) return undefined;
  let nominal = measured;
  let best = SNAP_TOLERANCE;
  for (const rate of STANDARD_FPS) {
    const off = Math.abs(measured - rate) / rate;
    if (off <= best) [nominal, best] = [rate, off];
  }
  return nominal;
}

function kbps(bits: string | undefined): number | undefined {
  const v = Number(bits);
  return bits !== undefined && Number.isFinite(v) && v > 0 ? v / 1000 : undefined;
}

/** ffprobe `-print_format json -show_streams -show_format` output → typed input info. */
export function parseProbe(json: string): InputInfo {
  let raw: RawProbe;
  try {
    raw = JSON.parse(json) as RawProbe;
  } catch {
    throw new ProcessError('PROBE_FAILED', 'ffprobe output is not JSON');
  }
  const streams = raw.streams ?? [];
  if (streams.length === 0) throw new ProcessError('PROBE_NO_STREAMS', 'no streams found');
  const v = streams.find((s) => s.codec_type === 'video');
  const a = streams.find((s) => s.codec_type === 'audio');
  const duration = Number(raw.format?.duration);
  return {
    formatName: raw.format?.format_name,
    durationSec: Number.isFinite(duration) ? duration : undefined,
    bitrateKbps: kbps(raw.format?.bit_rate),
    video: v && {
      codec: v.codec_name ?? 'unknown',
      profile: v.profile,
      width: v.width ?? 0,
      height: v.height ?? 0,
      fps: nominalFps(parseRate(v.avg_frame_rate) ?? parseRate(v.r_frame_rate)),
      pixelFormat: v.pix_fmt,
      bitrateKbps: kbps(v.bit_rate),
    },
    audio: a && {
      codec: a.codec_name ?? 'unknown',
      profile: a.profile,
      sampleRateHz: Number(a.sample_rate ?? 0),
      channels: a.channels ?? 0,
      bitrateKbps: kbps(a.bit_rate),
    },
    streamCount: streams.length,
  };
}
