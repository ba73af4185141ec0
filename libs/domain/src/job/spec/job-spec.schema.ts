import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  AUDIO_CODECS,
  INGEST_PROTOCOLS,
  OUTPUT_FORMATS,
  RENDITION_NAME_PATTERN,
  SEGMENT_FORMATS,
  VIDEO_CODECS,
  type AudioCodec,
  type IngestProtocol,
  type OutputFormat,
  type SegmentFormat,
  type VideoCodec,
} from './job-spec';
import { MAX_HEIGHT, MAX_WIDTH } from './codec-rules';

/*
 * Request-side shapes with class-validator rules. Optional fields are filled with defaults
 * afterwards (see validate-job-spec.ts). Unknown properties are rejected, never ignored:
 * a typo in a field name must not silently produce a different channel.
 */

/** Bucket names per the S3 naming rules (lowercase, 3–63 chars). */
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Object key prefix: path segments of safe characters, no `..`, no leading slash. */
const S3_PREFIX = /^(?!.*\.\.)[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/?$/;
const LABEL = /^[^\p{Cc}]*$/u;

export class InputSchema {
  @IsDefined() @IsIn(INGEST_PROTOCOLS) protocol!: IngestProtocol;
  @IsOptional() @IsInt() @Min(0) @Max(600) reconnectWindowSec?: number;
}

export class DestinationSchema {
  @IsDefined() @IsIn(['local', 's3', 'http']) type!: 'local' | 's3' | 'http';
  @IsOptional() @IsString() @Matches(S3_BUCKET) bucket?: string;
  @IsOptional() @IsString() @MaxLength(256) @Matches(S3_PREFIX) prefix?: string;
  @IsOptional() @IsString() @Matches(/^[a-z0-9-]{2,32}$/) region?: string;
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  endpoint?: string;
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  baseUrl?: string;
}

export class OutputSchema {
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @ArrayUnique()
  @IsIn(OUTPUT_FORMATS, { each: true })
  formats?: OutputFormat[];
  @IsOptional() @IsIn(SEGMENT_FORMATS) segmentFormat?: SegmentFormat;
  @IsOptional() @IsInt() @Min(1) @Max(10) segmentDurationSec?: number;
  @IsOptional() @IsInt() @Min(6) @Max(14400) windowSec?: number;
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => DestinationSchema)
  destination?: DestinationSchema;
}

export class VideoRenditionSchema {
  @IsDefined() @IsString() @Matches(RENDITION_NAME_PATTERN) name!: string;
  @IsDefined() @IsIn(VIDEO_CODECS) codec!: VideoCodec;
  @IsDefined() @IsInt() @Min(16) @Max(MAX_WIDTH) width!: number;
  @IsDefined() @IsInt() @Min(16) @Max(MAX_HEIGHT) height!: number;
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 3 })
  @Min(1)
  @Max(60)
  framerateFps?: number;
  @IsDefined() @IsInt() @Min(64) @Max(20000) bitrateKbps!: number;
  @IsOptional() @IsInt() @Min(64) @Max(40000) maxBitrateKbps?: number;
  @IsOptional() @IsInt() @Min(64) @Max(80000) bufferSizeKbps?: number;
  @IsOptional() @IsString() @MaxLength(16) preset?: string;
  @IsOptional() @IsString() @MaxLength(16) profile?: string;
}

export class AudioRenditionSchema {
  @IsDefined() @IsString() @Matches(RENDITION_NAME_PATTERN) name!: string;
  @IsDefined() @IsIn(AUDIO_CODECS) codec!: AudioCodec;
  @IsDefined() @IsInt() @Min(32) @Max(512) bitrateKbps!: number;
  @IsOptional() @IsIn([1, 2]) channels?: 1 | 2;
  @IsOptional() @IsInt() sampleRateHz?: number;
}

export class JobSpecSchema {
  @IsDefined() @IsString() @MinLength(1) @MaxLength(128) @Matches(LABEL) name!: string;
  @IsDefined() @IsObject() @ValidateNested() @Type(() => InputSchema) input!: InputSchema;
  @IsOptional() @IsObject() @ValidateNested() @Type(() => OutputSchema) output?: OutputSchema;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(8)
  @ValidateNested({ each: true })
  @Type(() => VideoRenditionSchema)
  video?: VideoRenditionSchema[];
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @ValidateNested({ each: true })
  @Type(() => AudioRenditionSchema)
  audio?: AudioRenditionSchema[];
}
