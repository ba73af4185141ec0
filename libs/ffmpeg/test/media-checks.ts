import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Parser, type M3u8Manifest } from 'm3u8-parser';

const run = promisify(execFile);

/** Helpers the real-FFmpeg tests use to look at what FFmpeg wrote, through ffprobe. */

export async function readPlaylist(path: string): Promise<M3u8Manifest> {
  const parser = new Parser();
  parser.push(await readFile(path, 'utf8'));
  parser.end();
  return parser.manifest;
}

export interface SegmentProbe {
  codec: string;
  profile?: string;
  /** Codec level as ffprobe prints it (AV1: seq_level_idx). */
  level?: number;
  width?: number;
  height?: number;
  /** Packet flags of the first packet in decode order ('K_' for a keyframe). */
  firstPacketKey: boolean;
  /** Bytes of all packets of the stream (payload only, no container overhead). */
  payloadBytes: number;
  sampleRate?: number;
  channels?: number;
}

interface RawProbe {
  streams: Array<{
    codec_name: string;
    profile?: string;
    level?: number;
    width?: number;
    height?: number;
    sample_rate?: string;
    channels?: number;
  }>;
  packets: Array<{ flags: string; size: string }>;
}

/** Probe one media segment; fMP4 segments are probed prefixed with their init segment. */
export async function probeSegment(
  segment: string,
  init?: string,
  scratch?: string,
): Promise<SegmentProbe> {
  let file = segment;
  if (init) {
    file = join(scratch ?? dirname(segment), `probe-${Date.now()}-${Math.random()}.mp4`);
    await writeFile(file, Buffer.concat([await readFile(init), await readFile(segment)]));
  }
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-print_format',
    'json',
    '-show_streams',
    '-show_packets',
    '-show_entries',
    'packet=flags,size:stream=codec_name,profile,level,width,height,sample_rate,channels',
    '-select_streams',
    '0',
    file,
  ]);
  const raw = JSON.parse(stdout) as RawProbe;
  const s = raw.streams[0];
  return {
    codec: s.codec_name,
    profile: s.profile,
    level: s.level,
    width: s.width,
    height: s.height,
    sampleRate: s.sample_rate ? Number(s.sample_rate) : undefined,
    channels: s.channels,
    firstPacketKey: (raw.packets[0]?.flags ?? '').startsWith('K'),
    payloadBytes: raw.packets.reduce((n, p) => n + Number(p.size), 0),
  };
}

/** RFC 6381 codec string → the profile name ffprobe prints, for the checks in master playlists. */
export function profileFromCodecString(codec: string): string | undefined {
  const avc = /^avc1\.([0-9a-f]{2})([0-9a-f]{2})/i.exec(codec);
  if (avc) {
    const idc = Number.parseInt(avc[1], 16);
    const constrained = (Number.parseInt(avc[2], 16) & 0x40) !== 0;
    if (idc === 66) return constrained ? 'Constrained Baseline' : 'Baseline';
    return ({ 77: 'Main', 100: 'High' } as Record<number, string>)[idc];
  }
  const hevc = /^hvc1\.(\d)/.exec(codec);
  if (hevc) return ({ 1: 'Main', 2: 'Main 10' } as Record<string, string>)[hevc[1]];
  const av1 = /^av01\.(\d)\./.exec(codec);
  if (av1) return ({ 0: 'Main', 1: 'High', 2: 'Professional' } as Record<string, string>)[av1[1]];
  if (codec === 'mp4a.40.2') return 'LC';
  return undefined;
}
