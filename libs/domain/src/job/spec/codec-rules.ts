import type { AudioCodec, VideoCodec } from './job-spec';

/** Presets each encoder accepts, fastest first. SVT-AV1 presets are numbers: higher is faster. */
export const VIDEO_PRESETS: Readonly<Record<VideoCodec, readonly string[]>> = {
  h264: [
    'ultrafast',
    'superfast',
    'veryfast',
    'faster',
    'fast',
    'medium',
    'slow',
    'slower',
    'veryslow',
  ],
  h265: [
    'ultrafast',
    'superfast',
    'veryfast',
    'faster',
    'fast',
    'medium',
    'slow',
    'slower',
    'veryslow',
  ],
  av1: ['13', '12', '11', '10', '9', '8', '7', '6', '5', '4', '3', '2', '1', '0'],
};

/** Slowest preset still considered "live-safe" without a warning (index into VIDEO_PRESETS). */
export const LIVE_SAFE_PRESET: Readonly<Record<VideoCodec, string>> = {
  h264: 'fast',
  h265: 'fast',
  av1: '8',
};

export const DEFAULT_PRESET: Readonly<Record<VideoCodec, string>> = {
  h264: 'veryfast',
  h265: 'veryfast',
  av1: '10',
};

/** Profiles each encoder accepts. x265 has no baseline/high; SVT-AV1 only encodes main in 8/10 bit. */
export const VIDEO_PROFILES: Readonly<Record<VideoCodec, readonly string[]>> = {
  h264: ['baseline', 'main', 'high'],
  h265: ['main', 'main10'],
  av1: ['main'],
};

export const AUDIO_SAMPLE_RATES: Readonly<Record<AudioCodec, readonly number[]>> = {
  aac: [22050, 32000, 44100, 48000],
  opus: [48000],
  mp3: [22050, 32000, 44100, 48000],
};

export const MAX_WIDTH = 3840;
export const MAX_HEIGHT = 2160;

/** The h264 profile the builder picks when the spec does not name one. */
export function defaultH264Profile(height: number): 'baseline' | 'main' | 'high' {
  if (height <= 240) return 'baseline';
  if (height <= 480) return 'main';
  return 'high';
}
