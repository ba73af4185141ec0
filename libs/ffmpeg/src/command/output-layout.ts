import { join } from 'node:path';
import type { JobSpec } from '@ezlive/domain';
import type { RenditionOutput, TranscodeIo, TranscodeOutputs } from './transcode-io';

export const DEFAULT_MASTER = 'master.m3u8';
export const DEFAULT_MEDIA_PLAYLIST = 'index.m3u8';
export const DEFAULT_MPD = 'manifest.mpd';

/** Segment and init names carry the run number: a restart never reuses a file name. */
export function runTag(io: TranscodeIo): string {
  return `r${io.runNumber ?? 1}`;
}

/**
 * The MPD one dash-muxer run writes (hidden: served and uploaded is the stitched `manifest.mpd`
 * that {@link DashPresentation} makes from every run's MPD).
 */
export function runMpdName(io: TranscodeIo): string {
  return `.dash_${runTag(io)}.mpd`;
}

/** Run number of a file named by {@link runMpdName}, or undefined. */
export function runOfMpdName(name: string): number | undefined {
  const m = /^\.dash_r(\d+)\.mpd$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** Whether the dash muxer writes everything (DASH alone, or DASH + HLS from one segment set). */
export function usesDashMuxer(spec: JobSpec): boolean {
  return spec.output.formats.includes('dash');
}

/**
 * HLS muxer layout: one directory per rendition (named after it) holding its media playlist,
 * init segment and segments; the master playlist at the top.
 */
export function hlsLayout(spec: JobSpec, io: TranscodeIo): TranscodeOutputs {
  const ext = spec.output.segmentFormat === 'fmp4' ? 'm4s' : 'ts';
  const playlistName = io.mediaPlaylistName ?? DEFAULT_MEDIA_PLAYLIST;
  const run = runTag(io);
  const renditions = allRenditions(spec).map(({ name, kind, streamIndex }): RenditionOutput => {
    const dir = join(io.outputDir, name);
    return {
      name,
      kind,
      streamIndex,
      dir,
      playlist: join(dir, playlistName),
      ...(ext === 'm4s' ? { initFile: join(dir, `init_${run}_${name}.mp4`) } : {}),
      segmentTemplate: join(dir, `seg_${run}_%05d.${ext}`),
    };
  });
  return {
    dir: io.outputDir,
    directories: renditions.map((r) => r.dir),
    master: join(io.outputDir, io.masterName ?? DEFAULT_MASTER),
    renditions,
  };
}

/**
 * Dash muxer layout: FFmpeg 5.1 neither creates sub-directories nor names files by anything but
 * the representation id (the output stream index), so all files sit flat in the output dir.
 */
export function dashLayout(spec: JobSpec, io: TranscodeIo): TranscodeOutputs {
  const run = runTag(io);
  const withHls = spec.output.formats.includes('hls');
  const renditions = allRenditions(spec).map(
    ({ name, kind, streamIndex }, id): RenditionOutput => ({
      name,
      kind,
      streamIndex,
      dir: io.outputDir,
      // The stitched HLS playlists keep the names dashenc's own would have.
      ...(withHls ? { playlist: join(io.outputDir, `media_${id}.m3u8`) } : {}),
      initFile: join(io.outputDir, `init_${id}_${run}.m4s`),
      segmentTemplate: join(io.outputDir, `seg_${id}_${run}_$Number%05d$.m4s`),
    }),
  );
  return {
    dir: io.outputDir,
    directories: [io.outputDir],
    ...(withHls ? { master: join(io.outputDir, io.masterName ?? DEFAULT_MASTER) } : {}),
    mpd: join(io.outputDir, io.mpdName ?? DEFAULT_MPD),
    runMpd: join(io.outputDir, runMpdName(io)),
    renditions,
  };
}

/** Output stream order: video renditions first, then audio (matches the `-map` order). */
export function allRenditions(
  spec: JobSpec,
): Array<{ name: string; kind: 'video' | 'audio'; streamIndex: number }> {
  return [
    ...spec.video.map((r, i) => ({ name: r.name, kind: 'video' as const, streamIndex: i })),
    ...spec.audio.map((r, i) => ({ name: r.name, kind: 'audio' as const, streamIndex: i })),
  ];
}
