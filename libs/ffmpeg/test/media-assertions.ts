import { access } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { JobSpec, VideoRendition } from '@ezlive/domain';
import type { RenditionOutput, TranscodeOutputs } from '@ezlive/ffmpeg';
import { profileFromCodecString, probeSegment, readPlaylist } from './media-checks';

// Deep import of a pure module, as the builder does (see video-encoder-args.builder.ts).
import { defaultH264Profile } from '@ezlive/domain/job/spec/codec-rules';

/** Bitrate tolerance the issue asks for, over ≥ 8 s. */
export const BITRATE_TOLERANCE = 0.15;

export function expectedProfiles(r: VideoRendition): string[] {
  switch (r.codec) {
    case 'h264': {
      const p = r.profile ?? defaultH264Profile(r.height);
      return p === 'baseline'
        ? ['Constrained Baseline', 'Baseline']
        : [p === 'main' ? 'Main' : 'High'];
    }
    case 'h265':
      return [r.profile === 'main10' ? 'Main 10' : 'Main'];
    case 'av1':
      return ['Main'];
    default: {
      const never: never = r.codec;
      throw new Error(`unknown codec ${String(never)}`);
    }
  }
}

const FFPROBE_CODEC = {
  h264: 'h264',
  h265: 'hevc',
  av1: 'av1',
  aac: 'aac',
  opus: 'opus',
  mp3: 'mp3',
};

export interface MeasuredRendition {
  name: string;
  /** Average payload bitrate over all full segments. */
  kbps: number;
  seconds: number;
  profile?: string;
  level?: number;
}

export interface SegmentRef {
  file: string;
  init?: string;
  duration: number;
}

/**
 * Check one rendition's segments: every segment exists, starts with a keyframe, has the
 * expected codec/profile/size; every duration but the last is the target ± one frame; the
 * average bitrate is within tolerance over the full segments.
 */
export async function checkRendition(
  spec: JobSpec,
  out: RenditionOutput,
  segments: SegmentRef[],
  scratch: string,
  /**
   * Extra tolerance for audio segments. FFmpeg 5.1's dash muxer cuts every stream when a video
   * keyframe reaches it in dts order, so audio boundaries move by the video reorder delay
   * (up to 3 frames with B-frames); the HLS muxer cuts each variant on its own clock.
   */
  audioSlackSec = 0,
): Promise<MeasuredRendition> {
  const video = out.kind === 'video' ? spec.video[out.streamIndex] : undefined;
  const audio = out.kind === 'audio' ? spec.audio[out.streamIndex] : undefined;
  const target = spec.output.segmentDurationSec;
  const frame = video
    ? 1 / (video.framerateFps ?? 30)
    : 1024 / (audio?.sampleRateHz ?? 48000) + audioSlackSec;
  expect(segments.length).toBeGreaterThanOrEqual(4);
  let bytes = 0;
  let seconds = 0;
  let profile: string | undefined;
  let level: number | undefined;
  for (const [i, seg] of segments.entries()) {
    await access(seg.file);
    const last = i === segments.length - 1;
    if (!last && Math.abs(seg.duration - target) > frame + 0.001) {
      throw new Error(
        `${out.name} segment ${i} (${seg.file}) lasts ${seg.duration} s, target ${target} ± ${frame}`,
      );
    }
    const p = await probeSegment(seg.file, seg.init, scratch);
    if (video) {
      expect({ seg: seg.file, key: p.firstPacketKey }).toEqual({ seg: seg.file, key: true });
      expect([p.codec, p.width, p.height]).toEqual([
        FFPROBE_CODEC[video.codec],
        video.width,
        video.height,
      ]);
      expect(expectedProfiles(video)).toContain(p.profile);
      profile = p.profile;
      level = p.level;
    } else if (audio) {
      expect([p.codec, p.sampleRate, p.channels]).toEqual([
        FFPROBE_CODEC[audio.codec],
        audio.sampleRateHz,
        audio.channels,
      ]);
    }
    if (!last) {
      bytes += p.payloadBytes;
      seconds += seg.duration;
    }
  }
  expect(seconds).toBeGreaterThanOrEqual(8);
  const kbps = (bytes * 8) / seconds / 1000;
  const wanted = (video ?? audio)?.bitrateKbps ?? 0;
  const ratio = kbps / wanted;
  if (Math.abs(ratio - 1) > BITRATE_TOLERANCE) {
    throw new Error(
      `${out.name}: ${kbps.toFixed(1)} kbps over ${seconds} s, target ${wanted} kbps`,
    );
  }
  return { name: out.name, kbps, seconds, profile, level };
}

/** Segments of an HLS media playlist, resolved to files. */
export async function hlsSegments(playlistPath: string): Promise<SegmentRef[]> {
  const m = await readPlaylist(playlistPath);
  const dir = dirname(playlistPath);
  return m.segments.map((s) => ({
    file: join(dir, s.uri),
    init: s.map ? join(dir, s.map.uri) : undefined,
    duration: s.duration,
  }));
}

/** Master playlist: one variant per video rendition, RESOLUTION/CODECS/BANDWIDTH consistent. */
export async function checkMaster(
  spec: JobSpec,
  outputs: TranscodeOutputs,
  measured: MeasuredRendition[],
  /** The dash muxer's HLS master (see below) instead of hlsenc's. */
  nominalBandwidth = false,
): Promise<void> {
  const master = await readPlaylist(outputs.master as string);
  const root = dirname(outputs.master as string);
  const audioKbps = measured
    .filter((m) => spec.audio.some((a) => a.name === m.name))
    .reduce((n, m) => Math.max(n, m.kbps), 0);
  for (const r of outputs.renditions.filter((o) => o.kind === 'video')) {
    const v = spec.video[r.streamIndex];
    const variant = master.playlists?.find((p) => p.uri === relative(root, r.playlist as string));
    expect(variant).toBeDefined();
    const attrs = variant?.attributes ?? {};
    expect(attrs.RESOLUTION).toEqual({ width: v.width, height: v.height });
    const m = measured.find((x) => x.name === r.name) as MeasuredRendition;
    if (nominalBandwidth) {
      // FFmpeg 5.1's dash muxer writes the nominal bitrates (video + audio), not a peak.
      const nominal = v.bitrateKbps + Math.max(0, ...spec.audio.map((a) => a.bitrateKbps));
      expect(attrs.BANDWIDTH).toBeGreaterThanOrEqual(nominal * 1000);
    } else {
      // hlsenc's BANDWIDTH is a peak: at least the measured average of video plus audio.
      expect(attrs.BANDWIDTH).toBeGreaterThanOrEqual((m.kbps + audioKbps) * 1000);
    }
    expect(attrs.BANDWIDTH).toBeLessThanOrEqual(2 * (v.maxBitrateKbps + audioKbps) * 1000);
    // AV1 CODECS come from completeMasterCodecs (FFmpeg 5.1's hlsenc writes none for AV1).
    const codecs = (attrs.CODECS ?? '').split(',');
    expect(profileFromCodecString(codecs[0])).toBe(m.profile);
    if (v.codec === 'av1') expect(Number(codecs[0].split('.')[2].slice(0, 2))).toBe(m.level);
    if (spec.audio.length > 0) expect(codecs).toContain('mp4a.40.2');
    if (spec.audio.length > 0) expect(attrs.AUDIO).toBeDefined();
  }
  if (spec.video.length === 0) {
    // Audio only: every audio rendition is a variant of its own (no group, no RESOLUTION).
    for (const r of outputs.renditions.filter((o) => o.kind === 'audio')) {
      const a = spec.audio[r.streamIndex];
      const variant = master.playlists?.find((p) => p.uri === relative(root, r.playlist as string));
      expect({ rendition: r.name, listed: variant !== undefined }).toEqual({
        rendition: r.name,
        listed: true,
      });
      const attrs = variant?.attributes ?? {};
      const m = measured.find((x) => x.name === r.name) as MeasuredRendition;
      expect(attrs.BANDWIDTH).toBeGreaterThanOrEqual(m.kbps * 1000);
      expect(attrs.BANDWIDTH).toBeLessThanOrEqual(2 * a.bitrateKbps * 1000);
      expect(attrs.RESOLUTION).toBeUndefined();
      if (a.codec === 'aac') expect((attrs.CODECS ?? '').split(',')).toEqual(['mp4a.40.2']);
    }
  }
  if (spec.audio.length > 0 && spec.video.length > 0) {
    const groups = Object.values(master.mediaGroups?.AUDIO ?? {});
    expect(groups).toHaveLength(1);
    const uris = Object.values(groups[0]).map((g) => g.uri);
    for (const r of outputs.renditions.filter((o) => o.kind === 'audio')) {
      expect(uris).toContain(relative(root, r.playlist as string));
    }
  }
}
