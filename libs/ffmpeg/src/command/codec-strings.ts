import type { AudioCodec } from '@ezlive/domain';

/** RFC 6381 strings for the audio encoders we use (FFmpeg's AAC encoder is AAC-LC). */
export function audioCodecString(codec: AudioCodec): string {
  switch (codec) {
    case 'aac':
      return 'mp4a.40.2';
    case 'opus':
      return 'Opus';
    case 'mp3':
      return 'mp4a.40.34';
    default: {
      const never: never = codec;
      throw new Error(`unknown audio codec ${String(never)}`);
    }
  }
}

/**
 * `av01.P.LLT.DD` from an init segment's `av1C` box (AV1 ISOBMFF binding §2.3.3): byte 1 is
 * seq_profile(3) | seq_level_idx_0(5), byte 2 starts seq_tier_0 | high_bitdepth | twelve_bit.
 * Returns undefined when the buffer has no `av1C` box.
 */
export function av1CodecString(initSegment: Uint8Array): string | undefined {
  const at = Buffer.from(initSegment).indexOf('av1C');
  if (at < 0 || at + 7 > initSegment.length) return undefined;
  const b1 = initSegment[at + 5];
  const b2 = initSegment[at + 6];
  const profile = b1 >> 5;
  const level = String(b1 & 0x1f).padStart(2, '0');
  const tier = b2 & 0x80 ? 'H' : 'M';
  const depth = b2 & 0x40 ? (profile === 2 && b2 & 0x20 ? '12' : '10') : '08';
  return `av01.${profile}.${level}${tier}.${depth}`;
}

/**
 * Add `CODECS` to master-playlist variants that lack it (FFmpeg 5.1's hls muxer writes none for
 * AV1). `codecsByUri` maps a variant URI, as written in the master, to its codecs list.
 */
export function withCodecs(master: string, codecsByUri: Readonly<Record<string, string>>): string {
  const lines = master.split('\n');
  return lines
    .map((line, i) => {
      if (!line.startsWith('#EXT-X-STREAM-INF:') || line.includes('CODECS=')) return line;
      const codecs = codecsByUri[(lines[i + 1] ?? '').trim()];
      return codecs === undefined ? line : `${line},CODECS="${codecs}"`;
    })
    .join('\n');
}
