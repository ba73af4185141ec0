import type { AudioCodec, AudioRendition } from '@ezlive/domain';
import { CommandError } from './command-error';

const ENCODERS: Readonly<Record<AudioCodec, string>> = {
  // FFmpeg's native AAC: LC profile, always built in (libfdk_aac is not redistributable).
  aac: 'aac',
  opus: 'libopus',
  mp3: 'libmp3lame',
};

/** Encoder options for audio rendition `n`; every option carries the `:a:n` specifier. */
export function audioEncoderArgs(r: AudioRendition, n: number): string[] {
  const s = `:a:${n}`;
  const encoder = ENCODERS[r.codec];
  if (encoder === undefined) {
    throw new CommandError('INVALID_IO', `unknown audio codec ${r.codec}`);
  }
  return [
    // Start at 0 with the video and fill publisher gaps with silence (async), so audio
    // segments line up with the video's keyframe boundaries and A/V sync survives drops.
    `-filter${s}`,
    'aresample=async=1:first_pts=0',
    `-c${s}`,
    encoder,
    `-b${s}`,
    `${r.bitrateKbps}k`,
    // Down/up-mix and resample here so every rendition is independent of the publisher's layout.
    `-ac${s}`,
    String(r.channels),
    `-ar${s}`,
    String(r.sampleRateHz),
  ];
}
