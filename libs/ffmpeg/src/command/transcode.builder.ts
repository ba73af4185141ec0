import type { JobSpec } from '@ezlive/domain';
import { audioEncoderArgs } from './audio-encoder-args.builder';
import { CommandError } from './command-error';
import { dashMuxerArgs } from './dash-muxer-args.builder';
import { buildFilterGraph, videoLabel } from './filter-graph.builder';
import { hlsMuxerArgs } from './hls-muxer-args.builder';
import { inputArgs } from './input-args.builder';
import { dashLayout, hlsLayout, usesDashMuxer } from './output-layout';
import type { TranscodeIo, TranscodePlan } from './transcode-io';
import { videoEncoderArgs } from './video-encoder-args.builder';

/** Options that shape the process rather than the media. */
export const GLOBAL_ARGS: readonly string[] = [
  '-hide_banner',
  // Never read keys from stdin: a stray byte could stop the encode; we stop with SIGTERM.
  '-nostdin',
  // Playlists and the MPD of the previous run are rewritten; segment names never repeat.
  '-y',
  // Machine-readable key=value progress blocks on stdout, once a second; no human stats line.
  '-progress',
  'pipe:1',
  '-stats_period',
  '1',
  '-nostats',
];

/**
 * The whole job as one FFmpeg command: one input, one decode, a filter graph that splits and
 * scales the video, one encoder per rendition and one muxer for the packaging. Pure: no I/O.
 */
export function buildTranscode(spec: JobSpec, io: TranscodeIo): TranscodePlan {
  if (spec.video.length + spec.audio.length === 0) {
    throw new CommandError('NO_RENDITIONS', 'the job has no video and no audio rendition');
  }
  const runNumber = io.runNumber ?? 1;
  if (!Number.isInteger(runNumber) || runNumber < 1) {
    throw new CommandError('INVALID_IO', `runNumber must be a positive integer, got ${runNumber}`);
  }
  const startNumber = io.startNumber ?? 0;
  if (!Number.isInteger(startNumber) || startNumber < 0) {
    throw new CommandError('INVALID_IO', `startNumber must be ≥ 0, got ${startNumber}`);
  }

  const graph = buildFilterGraph(spec.video);
  const seg = spec.output.segmentDurationSec;
  const video = spec.video.flatMap((r, i) => [
    '-map',
    videoLabel(i),
    ...videoEncoderArgs(r, i, { segmentDurationSec: seg, fps: r.framerateFps ?? io.sourceFps }),
  ]);
  // Each audio rendition is its own encode of the first source audio track.
  const audio = spec.audio.flatMap((r, i) => ['-map', '0:a:0', ...audioEncoderArgs(r, i)]);
  const dash = usesDashMuxer(spec);
  const args = [
    ...GLOBAL_ARGS,
    // Warnings and errors, prefixed with their level, for the stderr ring buffer. An SRT
    // listener also prints its input description (info): FFmpeg is the feed's only reader.
    '-loglevel',
    io.input.kind === 'srt' ? 'level+info' : 'level+warning',
    ...inputArgs(io.input, io.probe ?? 'fast'),
    ...(graph === undefined ? [] : ['-filter_complex', graph]),
    ...video,
    ...audio,
    ...(dash ? dashMuxerArgs(spec, io) : hlsMuxerArgs(spec, io)),
  ];
  return { args, outputs: dash ? dashLayout(spec, io) : hlsLayout(spec, io) };
}
