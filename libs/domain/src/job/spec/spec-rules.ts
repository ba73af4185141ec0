import { AUDIO_SAMPLE_RATES, LIVE_SAFE_PRESET, VIDEO_PRESETS, VIDEO_PROFILES } from './codec-rules';
import type { JobSpec } from './job-spec';
import type { JobSpecSchema } from './job-spec.schema';
import type { SpecIssue } from './spec-issue';

/** Frame rate assumed for estimates when the spec keeps the input rate. */
const ASSUMED_FPS = 30;

/** Rules that span fields, run on a structurally valid, normalised spec. */
export function checkSpecRules(spec: JobSpec, raw: JobSpecSchema): SpecIssue[] {
  const errors: SpecIssue[] = [];
  const add = (path: string, code: SpecIssue['code'], message: string) =>
    errors.push({ path, code, message });
  const { output } = spec;

  if (spec.video.length + spec.audio.length === 0) {
    add('video', 'NO_RENDITIONS', 'at least one video or audio rendition is required');
  }

  const seen = new Map<string, string>();
  const renditions = [
    ...spec.video.map((r, i) => [r.name, `video[${i}].name`] as const),
    ...spec.audio.map((r, i) => [r.name, `audio[${i}].name`] as const),
  ];
  for (const [name, path] of renditions) {
    const first = seen.get(name);
    if (first) add(path, 'DUPLICATE_NAME', `rendition name '${name}' is already used by ${first}`);
    else seen.set(name, path);
  }

  spec.video.forEach((v, i) => {
    const at = `video[${i}]`;
    if (v.width % 2 !== 0) add(`${at}.width`, 'ODD_DIMENSION', 'width must be even (4:2:0 chroma)');
    if (v.height % 2 !== 0)
      add(`${at}.height`, 'ODD_DIMENSION', 'height must be even (4:2:0 chroma)');
    if (v.maxBitrateKbps < v.bitrateKbps) {
      add(
        `${at}.maxBitrateKbps`,
        'MAXRATE_BELOW_BITRATE',
        `must be ≥ bitrateKbps (${v.bitrateKbps})`,
      );
    }
    if (v.bufferSizeKbps < v.maxBitrateKbps / 4) {
      add(
        `${at}.bufferSizeKbps`,
        'BUFSIZE_TOO_SMALL',
        `must be ≥ maxBitrateKbps / 4 (${Math.ceil(v.maxBitrateKbps / 4)})`,
      );
    }
    if (!VIDEO_PRESETS[v.codec].includes(v.preset)) {
      add(
        `${at}.preset`,
        'UNKNOWN_PRESET',
        `${v.codec} presets: ${VIDEO_PRESETS[v.codec].join(', ')}`,
      );
    }
    if (v.profile !== undefined && !VIDEO_PROFILES[v.codec].includes(v.profile)) {
      add(
        `${at}.profile`,
        'UNKNOWN_PROFILE',
        `${v.codec} profiles: ${VIDEO_PROFILES[v.codec].join(', ')}`,
      );
    }
    if (v.codec === 'av1' && output.segmentFormat === 'ts') {
      add(`${at}.codec`, 'CODEC_NEEDS_FMP4', 'av1 can only be packaged in fmp4 segments');
    }
    // SVT-AV1 (FFmpeg 5.1) ignores forced keyframes, so its GOP is set in frames; an SRT feed
    // goes straight into FFmpeg's own listener, unprobed, so nothing else can supply the rate.
    if (v.codec === 'av1' && spec.input.protocol === 'srt' && v.framerateFps === undefined) {
      add(
        `${at}.framerateFps`,
        'FRAMERATE_REQUIRED',
        'av1 with srt input needs framerateFps: its keyframe interval is set in frames before the feed can be probed',
      );
    }
  });

  spec.audio.forEach((a, i) => {
    const at = `audio[${i}]`;
    if (!AUDIO_SAMPLE_RATES[a.codec].includes(a.sampleRateHz)) {
      add(
        `${at}.sampleRateHz`,
        'SAMPLE_RATE_UNSUPPORTED',
        `${a.codec} sample rates: ${AUDIO_SAMPLE_RATES[a.codec].join(', ')}`,
      );
    }
    if (a.codec === 'opus' && output.segmentFormat === 'ts') {
      add(`${at}.codec`, 'CODEC_NEEDS_FMP4', 'opus can only be packaged in fmp4 segments');
    }
    if (a.codec === 'mp3' && output.formats.includes('dash')) {
      add(
        `${at}.codec`,
        'DASH_MP3_UNSUPPORTED',
        'DASH players do not support mp3 in fmp4; use aac or opus',
      );
    }
  });

  if (output.formats.includes('dash') && output.segmentFormat === 'ts') {
    add('output.segmentFormat', 'CODEC_NEEDS_FMP4', 'DASH output needs fmp4 segments');
  }
  if (output.windowSec < 3 * output.segmentDurationSec) {
    add(
      'output.windowSec',
      'WINDOW_TOO_SHORT',
      `must hold at least 3 segments (≥ ${3 * output.segmentDurationSec})`,
    );
  }

  const dest = raw.output?.destination;
  if (dest) {
    const allowed: Record<typeof dest.type, readonly string[]> = {
      local: ['type'],
      s3: ['type', 'bucket', 'prefix', 'region', 'endpoint'],
      http: ['type', 'baseUrl'],
    };
    // Declared class fields exist on the instance even when absent from the body.
    const present = Object.entries(dest)
      .filter(([, v]) => v !== undefined)
      .map(([k]) => k);
    for (const key of present) {
      if (!allowed[dest.type].includes(key)) {
        add(
          `output.destination.${key}`,
          'FIELD_NOT_ALLOWED',
          `not allowed for a '${dest.type}' destination`,
        );
      }
    }
    if (dest.type === 's3' && !dest.bucket)
      add('output.destination.bucket', 'REQUIRED', 'bucket is required for s3');
    if (dest.type === 'http' && !dest.baseUrl)
      add('output.destination.baseUrl', 'REQUIRED', 'baseUrl is required for http');
  }
  return errors;
}

/** Non-fatal advice: the job is accepted, the user is told. */
export function collectWarnings(spec: JobSpec): SpecIssue[] {
  const warnings: SpecIssue[] = [];
  const add = (path: string, code: SpecIssue['code'], message: string) =>
    warnings.push({ path, code, message });

  spec.video.forEach((v, i) => {
    const at = `video[${i}]`;
    if (v.maxBitrateKbps > 2 * v.bitrateKbps) {
      add(
        `${at}.maxBitrateKbps`,
        'MAXRATE_HIGH',
        'more than 2× the average bitrate: peaks may stall players on constrained links',
      );
    }
    if (v.codec === 'av1' && v.maxBitrateKbps > v.bitrateKbps) {
      add(
        `${at}.maxBitrateKbps`,
        'MAXRATE_IGNORED',
        'SVT-AV1 has no capped VBR in FFmpeg 5.1: it targets bitrateKbps and does not enforce this peak',
      );
    }
    const presets = VIDEO_PRESETS[v.codec];
    if (presets.indexOf(v.preset) > presets.indexOf(LIVE_SAFE_PRESET[v.codec])) {
      add(
        `${at}.preset`,
        'PRESET_SLOW',
        `slower than '${LIVE_SAFE_PRESET[v.codec]}': may not keep up in real time`,
      );
    }
    if (v.width > 1920 || v.height > 1080) {
      add(
        at,
        'ABOVE_1080P',
        'larger than 1080p: only workers with enough capacity can run this job',
      );
    }
    const bpp = (v.bitrateKbps * 1000) / (v.width * v.height * (v.framerateFps ?? ASSUMED_FPS));
    if (bpp < 0.03) {
      add(
        `${at}.bitrateKbps`,
        'LOW_BITS_PER_PIXEL',
        `${bpp.toFixed(3)} bits/pixel: expect visible artefacts`,
      );
    }
    const prev = spec.video[i - 1];
    if (prev && prev.bitrateKbps < v.bitrateKbps) {
      add(
        at,
        'LADDER_NOT_DESCENDING',
        'renditions are listed best-first in the master playlist; this one outranks the previous',
      );
    }
  });
  if (spec.input.reconnectWindowSec === 0) {
    add(
      'input.reconnectWindowSec',
      'NO_RECONNECT_WINDOW',
      'any publisher drop ends the ingest immediately',
    );
  }
  return warnings;
}
