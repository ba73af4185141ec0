import { join } from 'node:path';
import type { JobSpec, VideoRendition } from '@ezlive/domain';
import { listSize } from './hls-muxer-args.builder';
import { runMpdName, runTag } from './output-layout';
import type { TranscodeIo } from './transcode-io';

/** Segments kept on disk beyond the window, for players still fetching the oldest ones. */
const EXTRA_WINDOW_SEGMENTS = 3;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function aspect(r: VideoRendition): string {
  const d = gcd(r.width, r.height);
  return `${r.width / d}:${r.height / d}`;
}

/**
 * `-adaptation_sets`: the dash muxer refuses an adaptation set whose representations differ in
 * aspect ratio, so video is grouped by exact ratio; audio by codec (a player switches within a
 * set and cannot switch codecs). Stream ids are output indices: video first, then audio.
 */
export function adaptationSets(spec: JobSpec): string {
  const groups = new Map<string, number[]>();
  const add = (key: string, id: number) => groups.set(key, [...(groups.get(key) ?? []), id]);
  spec.video.forEach((r, i) => add(`v${aspect(r)}`, i));
  spec.audio.forEach((r, i) => add(`a${r.codec}`, spec.video.length + i));
  return [...groups.values()].map((ids, set) => `id=${set},streams=${ids.join(',')}`).join(' ');
}

/**
 * Dash muxer options. FFmpeg writes this run's MPD under a hidden name; the public MPD (and, for
 * HLS + DASH, the HLS playlists over the same segments) are stitched from every run's MPD by
 * `DashPresentation`, because dashenc 5.1 restarts its numbering and clock with every run.
 */
export function dashMuxerArgs(spec: JobSpec, io: TranscodeIo): string[] {
  const run = runTag(io);
  return [
    '-f',
    'dash',
    '-seg_duration',
    String(spec.output.segmentDurationSec),
    // Live window in the MPD, and files beyond it deleted.
    '-window_size',
    String(listSize(spec)),
    '-extra_window_size',
    String(EXTRA_WINDOW_SEGMENTS),
    // SegmentTemplate + SegmentTimeline: a short MPD whatever the segment count, exact durations.
    '-use_template',
    '1',
    '-use_timeline',
    '1',
    '-adaptation_sets',
    adaptationSets(spec),
    // The run number keeps a restarted muxer (which numbers from 1 again) off old files.
    '-init_seg_name',
    `init_$RepresentationID$_${run}.$ext$`,
    '-media_seg_name',
    `seg_$RepresentationID$_${run}_$Number%05d$.$ext$`,
    join(io.outputDir, runMpdName(io)),
  ];
}
