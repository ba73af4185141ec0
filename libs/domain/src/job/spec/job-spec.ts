/**
 * Job spec v1: what a user asks for when creating a live channel.
 *
 * These are the *normalised* types the rest of the system consumes: every optional
 * field has been filled with its default by {@link validateJobSpec}. The request-side
 * shapes (with optional fields) live in `job-spec.schema.ts`.
 */
export type IngestProtocol = 'rtmp' | 'srt';
export type OutputFormat = 'hls' | 'dash';
export type SegmentFormat = 'fmp4' | 'ts';
export type VideoCodec = 'h264' | 'h265' | 'av1';
export type AudioCodec = 'aac' | 'opus' | 'mp3';

export const INGEST_PROTOCOLS: readonly IngestProtocol[] = ['rtmp', 'srt'];
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['hls', 'dash'];
export const SEGMENT_FORMATS: readonly SegmentFormat[] = ['fmp4', 'ts'];
export const VIDEO_CODECS: readonly VideoCodec[] = ['h264', 'h265', 'av1'];
export const AUDIO_CODECS: readonly AudioCodec[] = ['aac', 'opus', 'mp3'];

/** Rendition names become directory names on the origin, so they are whitelisted. */
export const RENDITION_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;

export interface InputSpec {
  protocol: IngestProtocol;
  /** Seconds a dropped publisher may take to come back and keep a continuous playlist. @defaultValue 30 */
  reconnectWindowSec: number;
}

export type Destination =
  | { type: 'local' }
  | { type: 's3'; bucket: string; prefix?: string; region?: string; endpoint?: string }
  | { type: 'http'; baseUrl: string };

export interface OutputSpec {
  /** @defaultValue ['hls'] */
  formats: OutputFormat[];
  /** @defaultValue 'fmp4' */
  segmentFormat: SegmentFormat;
  /** Target segment (and GOP) duration. @defaultValue 2 */
  segmentDurationSec: number;
  /** Length of the live window kept in playlists and on the origin. @defaultValue 60 */
  windowSec: number;
  /** @defaultValue { type: 'local' } */
  destination: Destination;
}

export interface VideoRendition {
  name: string;
  codec: VideoCodec;
  width: number;
  height: number;
  /** Output frame rate; `undefined` keeps the input rate. */
  framerateFps?: number;
  bitrateKbps: number;
  /** @defaultValue bitrateKbps (capped VBR) */
  maxBitrateKbps: number;
  /** VBV buffer. @defaultValue 2 × maxBitrateKbps */
  bufferSizeKbps: number;
  /** Encoder preset (x264/x265 names, SVT-AV1 numbers as strings). @defaultValue per codec, see DEFAULT_PRESET */
  preset: string;
  /** Codec profile; `undefined` lets the builder choose (h264: by height). */
  profile?: string;
}

export interface AudioRendition {
  name: string;
  codec: AudioCodec;
  bitrateKbps: number;
  /** @defaultValue 2 */
  channels: 1 | 2;
  /** @defaultValue 48000 */
  sampleRateHz: number;
}

export interface JobSpec {
  /** Human-readable label; not used in paths. */
  name: string;
  input: InputSpec;
  output: OutputSpec;
  video: VideoRendition[];
  audio: AudioRendition[];
}
