import type { AudioCodec, JobSpec, VideoCodec, VideoRendition } from '../job/spec/job-spec';

/**
 * Cost model (docs/scheduler.md#cost-model). **One cost unit is 1 % of one CPU core** of the
 * reference machine, so a worker's capacity is `cores × 100 × headroom` and a job's cost says
 * how much of a core its FFmpeg process needs to keep up with real time.
 *
 * A video rendition costs `pixels per second × codec factor × preset factor`; the input is
 * decoded once per job, and each job pays a fixed overhead (demux, packaging, HTTP/file I/O).
 * The constants below are calibrated from `ffmpeg … -f null` runs on the reference machine
 * (2-core AMD EPYC VM, Debian FFmpeg, 1280×720@30 testsrc2, 10 s; see docs/scheduler.md).
 */

/**
 * Cost units per megapixel/s at each codec's default live preset (x264/x265 veryfast,
 * SVT-AV1 10): the measured CPU-seconds per megapixel × 100, times 1.5 because testsrc2 is
 * easier to encode than camera content (motion search converges fast on synthetic motion).
 */
export const UNITS_PER_MPX_PER_SEC: Readonly<Record<VideoCodec, number>> = {
  h264: 1.7, // measured 1.125 on testsrc2, × CONTENT_FACTOR
  h265: 8.5, // measured 5.63 (5.0× x264 at veryfast)
  av1: 4.9, // measured 3.29 (2.9× x264)
};

/**
 * Speed of each preset relative to the codec's default live preset (x264/x265 `veryfast`,
 * SVT-AV1 `10`). Measured where marked, otherwise from the encoders' published preset
 * speed ratios.
 */
export const PRESET_FACTOR: Readonly<Record<VideoCodec, Readonly<Record<string, number>>>> = {
  h264: {
    ultrafast: 0.45,
    superfast: 0.63, // measured
    veryfast: 1,
    faster: 1.6,
    fast: 2.13, // measured
    medium: 2.57, // measured
    slow: 3.3,
    slower: 6,
    veryslow: 12,
  },
  h265: {
    ultrafast: 0.5,
    superfast: 0.65,
    veryfast: 1,
    faster: 1.05,
    fast: 1.1, // measured (x265 veryfast and fast differ little)
    medium: 1.5,
    slow: 3,
    slower: 8,
    veryslow: 20,
  },
  av1: {
    '13': 0.45,
    '12': 0.51, // measured
    '11': 0.7,
    '10': 1,
    '9': 1.6,
    '8': 2.46, // measured
    '7': 3.5,
    '6': 5,
    '5': 7,
    '4': 11,
    '3': 18,
    '2': 30,
    '1': 50,
    '0': 80,
  },
};

/** Units per audio rendition (AAC stereo 48 kHz measured at 1.4 % of a core; Opus/MP3 alike). */
export const AUDIO_UNITS: Readonly<Record<AudioCodec, number>> = { aac: 1.5, opus: 1.5, mp3: 1.5 };

/** Decoding the input once: units per megapixel/s of the largest rendition (a proxy for the input). */
export const DECODE_UNITS_PER_MPX_PER_SEC = 0.25;

/** Demux, filter graph setup, packaging and segment upload, per job. */
export const JOB_OVERHEAD_UNITS = 3;

/** Frame rate assumed when a rendition keeps the input rate (the input is not known yet). */
export const ASSUMED_INPUT_FPS = 30;

export function megapixelsPerSecond(r: VideoRendition): number {
  return (r.width * r.height * (r.framerateFps ?? ASSUMED_INPUT_FPS)) / 1e6;
}

/** Cost units of one video rendition. Unknown presets cost as the slowest known one. */
export function renditionCost(r: VideoRendition): number {
  const presets = PRESET_FACTOR[r.codec];
  const preset = presets[r.preset] ?? Math.max(...Object.values(presets));
  return megapixelsPerSecond(r) * UNITS_PER_MPX_PER_SEC[r.codec] * preset;
}

/**
 * Estimated CPU cost of a job in cost units (integer, ≥ 1). Pure and deterministic: the
 * same spec always costs the same, so a redelivered placement reserves the same amount.
 */
export function estimateJobCost(spec: JobSpec): number {
  const video = spec.video.reduce((sum, r) => sum + renditionCost(r), 0);
  const largest = Math.max(0, ...spec.video.map(megapixelsPerSecond));
  const audio = spec.audio.reduce((sum, a) => sum + AUDIO_UNITS[a.codec], 0);
  const total = JOB_OVERHEAD_UNITS + largest * DECODE_UNITS_PER_MPX_PER_SEC + video + audio;
  return Math.max(1, Math.ceil(total));
}

/** Capacity of a worker in cost units: its cores, minus headroom for the OS and bursts. */
export function capacityForCores(cores: number, headroom = 0.8): number {
  return Math.floor(cores * 100 * headroom);
}
