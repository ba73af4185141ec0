import { join } from 'node:path';
import type { JobSpec } from '@ezlive/domain';
import { DEFAULT_MASTER, DEFAULT_MEDIA_PLAYLIST, runTag } from './output-layout';
import type { TranscodeIo } from './transcode-io';

/** Audio group every video variant refers to in the master playlist. */
const AUDIO_GROUP = 'audio';

/** Segments kept in the live playlist: the window rounded up to whole segments. */
export function listSize(spec: JobSpec): number {
  return Math.ceil(spec.output.windowSec / spec.output.segmentDurationSec);
}

/** `-var_stream_map`: one variant per video rendition plus the audio renditions as a group. */
export function varStreamMap(spec: JobSpec): string {
  // Audio is a group of alternatives only next to video; an audio-only job is plain variants.
  const grouped = spec.audio.length > 0 && spec.video.length > 0;
  const group = grouped ? `,agroup:${AUDIO_GROUP}` : '';
  const video = spec.video.map((r, i) => `v:${i}${group},name:${r.name}`);
  const audio = spec.audio.map(
    (r, i) => `a:${i}${group},name:${r.name}${grouped && i === 0 ? ',default:yes' : ''}`,
  );
  return [...video, ...audio].join(' ');
}

/** `-hls_flags`; restarts add `discont_start` (see docs/ffmpeg.md "Restarts"). */
export function hlsFlags(io: TranscodeIo): string {
  return [
    // Tell players every segment starts with a keyframe (we force one per segment).
    'independent_segments',
    // Live window: files that left the playlist are removed from disk.
    'delete_segments',
    // Write to .tmp and rename, so the publisher never uploads a half-written file.
    'temp_file',
    // A stopped or crashed run must not end the stream: resume appends to it.
    'omit_endlist',
    ...(io.discontinuity ? ['discont_start'] : []),
  ].join('+');
}

/** HLS muxer options and the output URL template. */
export function hlsMuxerArgs(spec: JobSpec, io: TranscodeIo): string[] {
  const fmp4 = spec.output.segmentFormat === 'fmp4';
  const run = runTag(io);
  return [
    '-f',
    'hls',
    '-hls_time',
    String(spec.output.segmentDurationSec),
    '-hls_list_size',
    String(listSize(spec)),
    '-hls_segment_type',
    fmp4 ? 'fmp4' : 'mpegts',
    '-hls_flags',
    hlsFlags(io),
    // Continue the previous run's media sequence instead of restarting at 0.
    '-start_number',
    String(io.startNumber ?? 0),
    ...(fmp4 ? ['-hls_fmp4_init_filename', `init_${run}_%v.mp4`] : []),
    '-hls_segment_filename',
    join(io.outputDir, '%v', `seg_${run}_%05d.${fmp4 ? 'm4s' : 'ts'}`),
    '-master_pl_name',
    io.masterName ?? DEFAULT_MASTER,
    '-var_stream_map',
    varStreamMap(spec),
    join(io.outputDir, '%v', io.mediaPlaylistName ?? DEFAULT_MEDIA_PLAYLIST),
  ];
}
