import type { VideoRendition } from '@ezlive/domain';
// Deep import of a pure module: the domain barrel also loads class-validator decorators, which
// need reflect-metadata at runtime and would drag it into every FFmpeg consumer.
import { defaultH264Profile } from '@ezlive/domain/job/spec/codec-rules';
import { CommandError } from './command-error';

/**
 * GOP used when the frame rate is unknown: long enough that the encoder never places a
 * keyframe of its own before the time-forced one at the next segment boundary (≤ 120 fps).
 */
const MAX_FPS_FOR_UNKNOWN_RATE = 120;

export interface GopInput {
  segmentDurationSec: number;
  /** Frame rate of this rendition, if known (its own `framerateFps` or the source's). */
  fps?: number;
}

/** Frames per GOP: one GOP per segment so every segment starts with a keyframe. */
export function gopFrames({ segmentDurationSec, fps }: GopInput): number {
  return Math.round(segmentDurationSec * (fps ?? MAX_FPS_FOR_UNKNOWN_RATE));
}

/** Encoder options for video rendition `n`; every option carries the `:v:n` specifier. */
export function videoEncoderArgs(r: VideoRendition, n: number, gop: GopInput): string[] {
  const s = `:v:${n}`;
  const g = gopFrames(gop);
  const rate = [`-b${s}`, `${r.bitrateKbps}k`];
  // Capped VBR: peaks bounded so a player's bandwidth estimate holds.
  const vbv = [`-maxrate${s}`, `${r.maxBitrateKbps}k`, `-bufsize${s}`, `${r.bufferSizeKbps}k`];
  // A keyframe exactly on every segment boundary, independent of frame counting drift.
  const forced = [`-force_key_frames${s}`, `expr:gte(t,n_forced*${gop.segmentDurationSec})`];
  switch (r.codec) {
    case 'h264':
      return [
        `-c${s}`,
        'libx264',
        ...rate,
        ...vbv,
        `-preset${s}`,
        r.preset,
        `-profile${s}`,
        r.profile ?? defaultH264Profile(r.height),
        `-g${s}`,
        String(g),
        `-keyint_min${s}`,
        String(g),
        // Scene cuts would add keyframes mid-segment in one rendition and not another.
        `-sc_threshold${s}`,
        '0',
        // Closed GOPs: a segment must decode without the previous one.
        `-x264-params${s}`,
        'open-gop=0',
        ...forced,
      ];
    case 'h265':
      return [
        `-c${s}`,
        'libx265',
        ...rate,
        ...vbv,
        `-preset${s}`,
        r.preset,
        `-profile${s}`,
        h265Profile(r),
        // x265 defaults to open GOP and scene cuts; both break segment-aligned keyframes.
        // log-level=error: x265 prints a banner per encoder that would flood the stderr ring.
        `-x265-params${s}`,
        `keyint=${g}:min-keyint=${g}:scenecut=0:open-gop=0:log-level=error`,
        // Forced keyframes are plain I-frames in x265 unless asked for IDR.
        `-forced-idr${s}`,
        '1',
        // Apple players only accept HEVC in fMP4 tagged hvc1 (parameter sets in the init segment).
        `-tag${s}`,
        'hvc1',
        ...forced,
      ];
    case 'av1':
      if (gop.fps === undefined) {
        throw new CommandError(
          'SOURCE_FPS_UNKNOWN',
          `av1 rendition '${r.name}' needs framerateFps or io.sourceFps: SVT-AV1 in FFmpeg 5.1 ignores forced keyframes`,
        );
      }
      return [
        `-c${s}`,
        'libsvtav1',
        // VBR only: SVT-AV1 1.4 reads maxrate == bitrate as CBR, which it rejects with
        // random-access prediction, and has no capped VBR outside CRF mode.
        ...rate,
        `-preset${s}`,
        r.preset,
        `-g${s}`,
        String(g),
        // Closed key frames (not forward intra refresh) and no scene-change keyframes.
        `-svtav1-params${s}`,
        'irefresh-type=2:scd=0',
      ];
    default: {
      const never: never = r.codec;
      throw new CommandError('UNSUPPORTED_PROFILE', `unknown video codec ${String(never)}`);
    }
  }
}

function h265Profile(r: VideoRendition): 'main' | 'main10' {
  const profile = r.profile ?? 'main';
  if (profile !== 'main' && profile !== 'main10') {
    throw new CommandError('UNSUPPORTED_PROFILE', `x265 encodes main or main10, not '${profile}'`);
  }
  return profile;
}
