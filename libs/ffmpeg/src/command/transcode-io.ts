/**
 * What the caller (the worker) tells the builder besides the job spec: where the media comes
 * from, where it goes, and which run of the job this is.
 */

/** The local ingest gateway re-publishes the authenticated feed; FFmpeg pulls it as a client. */
export interface RtmpInput {
  kind: 'rtmp';
  /** e.g. `rtmp://127.0.0.1:1935/live/<job>`. */
  url: string;
}

/** FFmpeg's own SRT listener; the publisher connects to it. */
export interface SrtInput {
  kind: 'srt';
  /** Listener address without query, e.g. `srt://0.0.0.0:9000`. */
  url: string;
  /** AES passphrase, 10–79 characters; omitted means an unencrypted listener. */
  passphrase?: string;
  /** Receiver latency (packet recovery window). @defaultValue 120 */
  latencyMs?: number;
}

/** Any URL or file FFmpeg can open: used by tests and benchmarks. */
export interface UrlInput {
  kind: 'url';
  url: string;
  /** Read at the native frame rate (`-re`), as a live feed would arrive. @defaultValue false */
  realtime?: boolean;
}

export type TranscodeInput = RtmpInput | SrtInput | UrlInput;

/**
 * How much of the input FFmpeg reads before it starts: `fast` is tuned for a quick first segment
 * (see docs/ffmpeg.md for the measurements), `default` is FFmpeg's own behaviour.
 */
export type ProbeMode = 'fast' | 'default';

export interface TranscodeIo {
  input: TranscodeInput;
  /** Local directory that receives playlists and segments (must exist). */
  outputDir: string;
  /**
   * 1-based run of this job on this output; part of every segment and init file name so a
   * restarted FFmpeg never overwrites a file a player or the publisher may still be reading.
   * @defaultValue 1
   */
  runNumber?: number;
  /**
   * First HLS media sequence number of this run. On a restart pass the previous run's next
   * sequence (see {@link nextMediaSequence}) so the playlist's sequence never goes backwards.
   * @defaultValue 0
   */
  startNumber?: number;
  /** Mark the first segment of this run with `#EXT-X-DISCONTINUITY` (a restart). @defaultValue false */
  discontinuity?: boolean;
  /** @defaultValue 'fast' */
  probe?: ProbeMode;
  /**
   * Frame rate of the source (from {@link probe}); sets the GOP length of renditions that keep
   * the input rate. Without it those renditions rely on time-forced keyframes only.
   */
  sourceFps?: number;
  /** @defaultValue 'master.m3u8' */
  masterName?: string;
  /** Media playlist name inside each rendition directory (HLS only). @defaultValue 'index.m3u8' */
  mediaPlaylistName?: string;
  /** @defaultValue 'manifest.mpd' */
  mpdName?: string;
}

export interface RenditionOutput {
  name: string;
  kind: 'video' | 'audio';
  /** Index among the output streams of its kind: the `N` in `-b:v:N`. */
  streamIndex: number;
  /** Media playlist path, when HLS is produced. */
  playlist?: string;
  /** Directory that holds this rendition's segments. */
  dir: string;
  /** Init segment file (fMP4 only). */
  initFile?: string;
  /** FFmpeg's template of the segment files of this run (`%05d` or `$Number%05d$`). */
  segmentTemplate: string;
}

export interface TranscodeOutputs {
  dir: string;
  /** Directories to create before FFmpeg starts (FFmpeg 5.1 does not create them). */
  directories: string[];
  master?: string;
  /** The stitched MPD players read (written by {@link DashPresentation}, not by FFmpeg). */
  mpd?: string;
  /** The MPD this FFmpeg run writes (dash muxer only); input of the stitched one. */
  runMpd?: string;
  renditions: RenditionOutput[];
}

export interface TranscodePlan {
  /** Full argv without the program name; pass to `spawn('ffmpeg', args)`. */
  args: string[];
  outputs: TranscodeOutputs;
}
