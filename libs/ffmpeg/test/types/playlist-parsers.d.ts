// Minimal typings for the parts of m3u8-parser and mpd-parser the media checks use (the
// packages ship none).
declare module 'm3u8-parser' {
  export interface M3u8Segment {
    duration: number;
    uri: string;
    discontinuity?: boolean;
    timeline: number;
    map?: { uri: string };
    /** `EXT-X-PROGRAM-DATE-TIME` of the segment, as written. */
    dateTimeString?: string;
  }
  export interface M3u8Variant {
    uri: string;
    attributes: {
      BANDWIDTH?: number;
      RESOLUTION?: { width: number; height: number };
      CODECS?: string;
      AUDIO?: string;
      'FRAME-RATE'?: number;
    };
  }
  export interface M3u8Manifest {
    mediaSequence?: number;
    discontinuitySequence?: number;
    discontinuityStarts: number[];
    endList?: boolean;
    targetDuration?: number;
    independentSegments?: boolean;
    segments: M3u8Segment[];
    playlists?: M3u8Variant[];
    mediaGroups?: { AUDIO?: Record<string, Record<string, { uri?: string; default?: boolean }>> };
  }
  export class Parser {
    manifest: M3u8Manifest;
    push(chunk: string): void;
    end(): void;
  }
}

declare module 'mpd-parser' {
  export interface MpdSegment {
    uri: string;
    resolvedUri: string;
    duration: number;
    number: number;
    /** Seconds from the presentation start (Period start included). */
    presentationTime: number;
    map?: { uri: string; resolvedUri: string };
  }
  export interface MpdPlaylist {
    attributes: {
      NAME?: string;
      BANDWIDTH?: number;
      CODECS?: string;
      RESOLUTION?: { width: number; height: number };
    };
    segments: MpdSegment[];
  }
  export interface MpdManifest {
    playlists: MpdPlaylist[];
    mediaGroups: { AUDIO?: Record<string, Record<string, { playlists: MpdPlaylist[] }>> };
  }
  export function parse(manifest: string, options?: { manifestUri?: string }): MpdManifest;
}
