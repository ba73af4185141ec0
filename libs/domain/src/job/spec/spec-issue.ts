/** A field-level problem with a job spec. `path` uses JS notation: `video[1].bitrateKbps`. */
export interface SpecIssue {
  path: string;
  code: SpecErrorCode | SpecWarningCode;
  message: string;
}

export type SpecErrorCode =
  | 'INVALID_BODY'
  | 'TOO_DEEP'
  | 'REQUIRED'
  | 'UNKNOWN_FIELD'
  | 'INVALID_TYPE'
  | 'NOT_A_STRING'
  | 'NOT_AN_OBJECT'
  | 'NOT_AN_ARRAY'
  | 'NOT_A_NUMBER'
  | 'NOT_INTEGER'
  | 'NOT_ALLOWED'
  | 'TOO_SMALL'
  | 'TOO_LARGE'
  | 'TOO_SHORT'
  | 'TOO_LONG'
  | 'TOO_FEW'
  | 'TOO_MANY'
  | 'DUPLICATE'
  | 'INVALID_FORMAT'
  | 'INVALID_URL'
  | 'NO_RENDITIONS'
  | 'DUPLICATE_NAME'
  | 'ODD_DIMENSION'
  | 'MAXRATE_BELOW_BITRATE'
  | 'BUFSIZE_TOO_SMALL'
  | 'UNKNOWN_PRESET'
  | 'UNKNOWN_PROFILE'
  | 'SAMPLE_RATE_UNSUPPORTED'
  | 'CODEC_NEEDS_FMP4'
  | 'DASH_MP3_UNSUPPORTED'
  | 'WINDOW_TOO_SHORT'
  | 'FRAMERATE_REQUIRED'
  | 'FIELD_NOT_ALLOWED';

export type SpecWarningCode =
  | 'MAXRATE_HIGH'
  | 'PRESET_SLOW'
  | 'ABOVE_1080P'
  | 'LOW_BITS_PER_PIXEL'
  | 'LADDER_NOT_DESCENDING'
  | 'MAXRATE_IGNORED'
  | 'NO_RECONNECT_WINDOW';
