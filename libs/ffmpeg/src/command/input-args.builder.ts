import { CommandError } from './command-error';
import type { ProbeMode, TranscodeInput } from './transcode-io';

/** SRT's own limits for the AES passphrase (srt_setsockopt SRTO_PASSPHRASE). */
const SRT_PASSPHRASE_MIN = 10;
const SRT_PASSPHRASE_MAX = 79;
const DEFAULT_SRT_LATENCY_MS = 120;
/**
 * Seconds without a byte from the gateway before FFmpeg gives up: long enough to ride out a
 * stalled TCP window, short enough that a vanished publisher is reported as input lost.
 */
const RTMP_RW_TIMEOUT_SEC = 10;

/** Probe settings; numbers measured in docs/ffmpeg.md ("Fast start"). */
export function probeArgs(mode: ProbeMode): string[] {
  switch (mode) {
    case 'fast':
      return [
        // Live ingest carries one video + one audio stream whose parameters are in the first
        // packets (FLV/MPEG-TS headers); 0.5 s / 500 kB is enough to find both.
        '-analyzeduration',
        '500000',
        '-probesize',
        '500000',
        // Not `-fflags nobuffer`: it drops the packets read while probing, so the decoder
        // starts mid-GOP and waits for the next keyframe (measured in docs/ffmpeg.md).
      ];
    case 'default':
      return [];
    default: {
      const never: never = mode;
      throw new CommandError('INVALID_IO', `unknown probe mode ${String(never)}`);
    }
  }
}

/** Input options and `-i` for one input. */
export function inputArgs(input: TranscodeInput, probe: ProbeMode): string[] {
  const probing = probeArgs(probe);
  switch (input.kind) {
    case 'rtmp':
      return [
        ...probing,
        // Treat the pull as live: never seek, never ask the server for a recorded file.
        '-rtmp_live',
        'live',
        // Microseconds; a silent gateway ends FFmpeg with an I/O error (classified input-lost).
        '-rw_timeout',
        String(RTMP_RW_TIMEOUT_SEC * 1_000_000),
        '-i',
        input.url,
      ];
    case 'srt':
      return [...probing, ...srtOptions(input), '-i', input.url];
    case 'url':
      return [...probing, ...(input.realtime ? ['-re'] : []), '-i', input.url];
    default: {
      const never: never = input;
      throw new CommandError('INVALID_IO', `unknown input ${JSON.stringify(never)}`);
    }
  }
}

function srtOptions(input: Extract<TranscodeInput, { kind: 'srt' }>): string[] {
  const args = [
    // FFmpeg waits for the publisher instead of dialling out.
    '-mode',
    'listener',
    // libsrt takes microseconds; this is the window for retransmitting lost packets.
    '-latency',
    String((input.latencyMs ?? DEFAULT_SRT_LATENCY_MS) * 1000),
  ];
  if (input.passphrase !== undefined) {
    const n = input.passphrase.length;
    if (n < SRT_PASSPHRASE_MIN || n > SRT_PASSPHRASE_MAX) {
      throw new CommandError(
        'SRT_PASSPHRASE_LENGTH',
        `SRT passphrase must be ${SRT_PASSPHRASE_MIN}-${SRT_PASSPHRASE_MAX} characters, got ${n}`,
      );
    }
    // An option rather than a URL query so the URL can be logged without the secret.
    args.push('-passphrase', input.passphrase);
  }
  return args;
}
