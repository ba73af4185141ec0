import type { AudioCodec, JobSpec, VideoCodec, VideoRendition } from '../job/spec/job-spec';

/**
 * Cost model (docs/scheduler.md#cost-model). **One cost unit is 1 % of one CPU core** of the
 * reference machine, so a worker's capacity is `cores × 100 × headroom` and a job's cost says
 * how much of a core its FFmpeg process needs to keep up with real time.
 *
 * A video rendition costs `pixels per second × (scaling + codec factor × preset factor)`; the
 * input is decoded once per job, and each job pays a fixed overhead (demux, packaging,
 * file I/O). The constants are measured on the reference machine (2-core Intel Xeon KVM VM,
 * Debian FFmpeg 5.1, 2026-12-03) and checked against the standard ladder of
 * `bench/ffmpeg-ladder`, which the model predicts at 65 units against 70–74 measured
 * (its 1080p input decodes at more than the 720p top rung the model assumes); whole ladders
 * of all three codecs come out within ±21 % (docs/scheduler.md). A worker reports
 * its FFmpeg processes' measured CPU as well (`observedJobLoad`), so a machine slower than
 * the reference or content harder than the model's still cannot be overfilled.
 */

/**
 * Cost units per megapixel/s at each codec's default live preset (x264/x265 veryfast,
 * SVT-AV1 10): CPU-seconds per megapixel × 100 of `testsrc2` 1280×720@30 → `-f null`, the
 * source generation subtracted. x264 agrees with the standard ladder's encode share.
 */
export const UNITS_PER_MPX_PER_SEC: Readonly<Record<VideoCodec, number>> = {
  h264: 0.9, // 2.50 CPU-s for 276.5 Mpx
  h265: 3.41, // 9.42 CPU-s (3.8× x264 at veryfast)
  av1: 2.75, // 7.60 CPU-s (3.0× x264)
};

/** Scaling the decoded input to a rendition, per megapixel/s of output (swscale bicubic). */
export const SCALE_UNITS_PER_MPX_PER_SEC = 0.18;

/**
 * Speed of each preset relative to the codec's default live preset (x264/x265 `veryfast`,
 * SVT-AV1 `10`). Measured where marked (same runs as above), otherwise from the encoders'
 * published preset speed ratios.
 */
export const PRESET_FACTOR: Readonly<Record<VideoCodec, Readonly<Record<string, number>>>> = {
  h264: {
    ultrafast: 0.45,
    superfast: 0.65, // measured
    veryfast: 1,
    faster: 1.6,
    fast: 2.08, // measured
    medium: 2.15, // measured
    slow: 3.3,
    slower: 6,
    veryslow: 12,
  },
  h265: {
    ultrafast: 0.5,
    superfast: 0.65,
    veryfast: 1,
    faster: 1.05,
    fast: 1.2, // measured (x265 veryfast and fast differ little)
    medium: 1.5,
    slow: 3,
    slower: 8,
    veryslow: 20,
  },
  av1: {
    '13': 0.35,
    '12': 0.44, // measured
    '11': 0.7,
    '10': 1,
    '9': 1.6,
    '8': 2.62, // measured
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

/** Units per audio rendition (AAC stereo 48 kHz measured at 1.1 % of a core; Opus/MP3 alike). */
export const AUDIO_UNITS: Readonly<Record<AudioCodec, number>> = { aac: 1.5, opus: 1.5, mp3: 1.5 };

/**
 * Decoding the input once: units per megapixel/s of the largest rendition, a proxy for the
 * input, which is not known at placement (H.264 high profile 1080p30 at 6 Mbit/s: 12 units).
 */
export const DECODE_UNITS_PER_MPX_PER_SEC = 0.19;

/** Demux, filter graph setup, HLS/DASH packaging and file I/O, per job (the ladder's rest). */
export const JOB_OVERHEAD_UNITS = 4;

/** Frame rate assumed when a rendition keeps the input rate (the input is not known yet). */
export const ASSUMED_INPUT_FPS = 30;

export function megapixelsPerSecond(r: VideoRendition): number {
  return (r.width * r.height * (r.framerateFps ?? ASSUMED_INPUT_FPS)) / 1e6;
}

/** Cost units of one video rendition. Unknown presets cost as the slowest known one. */
export function renditionCost(r: VideoRendition): number {
  const presets = PRESET_FACTOR[r.codec];
  const preset = presets[r.preset] ?? Math.max(...Object.values(presets));
  return (
    megapixelsPerSecond(r) * (SCALE_UNITS_PER_MPX_PER_SEC + UNITS_PER_MPX_PER_SEC[r.codec] * preset)
  );
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

/**
 * What one job on a worker counts against its capacity: the estimate, or the FFmpeg
 * process's measured CPU (percent of a core = cost units) when that is higher. The estimate
 * stays the floor while a job waits for its publisher and its FFmpeg idles; the measurement
 * wins where the machine is slower or the content harder than the model.
 */
export function observedJobLoad(estimate: number, measuredCpuPercent: number | null): number {
  return Math.max(estimate, Math.ceil(measuredCpuPercent ?? 0));
}

/** Capacity of a worker in cost units: its cores, minus headroom for the OS and bursts. */
export function capacityForCores(cores: number, headroom = 0.8): number {
  return Math.floor(cores * 100 * headroom);
}
