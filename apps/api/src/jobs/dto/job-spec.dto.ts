import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  AUDIO_CODECS,
  INGEST_PROTOCOLS,
  OUTPUT_FORMATS,
  SEGMENT_FORMATS,
  VIDEO_CODECS,
} from '@ezlive/domain';

/*
 * OpenAPI shapes of job spec v1. Validation is NOT done from these classes: the domain's
 * `validateJobSpec` is the single validator (it reports every field with a path and code).
 */

export class InputSpecDto {
  @ApiProperty({ enum: INGEST_PROTOCOLS, example: 'rtmp' }) protocol!: string;
  @ApiPropertyOptional({ minimum: 0, maximum: 600, default: 30, example: 30 })
  reconnectWindowSec?: number;
}

export class DestinationDto {
  @ApiProperty({ enum: ['local', 's3', 'http'], example: 'local' }) type!: string;
  @ApiPropertyOptional({ description: 's3 only', example: 'live-origin' }) bucket?: string;
  @ApiPropertyOptional({ description: 's3 only', example: 'channels/' }) prefix?: string;
  @ApiPropertyOptional({ description: 's3 only', example: 'eu-west-1' }) region?: string;
  @ApiPropertyOptional({ description: 's3 only (MinIO etc.)', example: 'http://minio:9000' })
  endpoint?: string;
  @ApiPropertyOptional({ description: 'http only', example: 'http://origin:8080/live' })
  baseUrl?: string;
}

export class OutputSpecDto {
  @ApiPropertyOptional({ enum: OUTPUT_FORMATS, isArray: true, default: ['hls'] })
  formats?: string[];
  @ApiPropertyOptional({ enum: SEGMENT_FORMATS, default: 'fmp4' }) segmentFormat?: string;
  @ApiPropertyOptional({ minimum: 1, maximum: 10, default: 2 }) segmentDurationSec?: number;
  @ApiPropertyOptional({ minimum: 6, maximum: 14400, default: 60 }) windowSec?: number;
  @ApiPropertyOptional({ type: DestinationDto }) destination?: DestinationDto;
}

export class VideoRenditionDto {
  @ApiProperty({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$', example: '720p' }) name!: string;
  @ApiProperty({ enum: VIDEO_CODECS, example: 'h264' }) codec!: string;
  @ApiProperty({ minimum: 16, maximum: 3840, example: 1280 }) width!: number;
  @ApiProperty({ minimum: 16, maximum: 2160, example: 720 }) height!: number;
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 60,
    example: 30,
    description: 'omit to keep the input rate',
  })
  framerateFps?: number;
  @ApiProperty({ minimum: 64, maximum: 20000, example: 3000 }) bitrateKbps!: number;
  @ApiPropertyOptional({
    minimum: 64,
    maximum: 40000,
    example: 3600,
    description: 'default: bitrateKbps',
  })
  maxBitrateKbps?: number;
  @ApiPropertyOptional({
    minimum: 64,
    maximum: 80000,
    example: 7200,
    description: 'default: 2 × maxBitrateKbps',
  })
  bufferSizeKbps?: number;
  @ApiPropertyOptional({ example: 'veryfast', description: 'x264/x265 names, SVT-AV1 numbers' })
  preset?: string;
  @ApiPropertyOptional({ example: 'high' }) profile?: string;
}

export class AudioRenditionDto {
  @ApiProperty({ example: 'aac' }) name!: string;
  @ApiProperty({ enum: AUDIO_CODECS, example: 'aac' }) codec!: string;
  @ApiProperty({ minimum: 32, maximum: 512, example: 128 }) bitrateKbps!: number;
  @ApiPropertyOptional({ enum: [1, 2], default: 2 }) channels?: number;
  @ApiPropertyOptional({ default: 48000 }) sampleRateHz?: number;
}

export class JobSpecDto {
  @ApiProperty({ maxLength: 128, example: 'news-channel' }) name!: string;
  @ApiProperty({ type: InputSpecDto }) input!: InputSpecDto;
  @ApiPropertyOptional({ type: OutputSpecDto }) output?: OutputSpecDto;
  @ApiPropertyOptional({ type: [VideoRenditionDto], maxItems: 8 }) video?: VideoRenditionDto[];
  @ApiPropertyOptional({ type: [AudioRenditionDto], maxItems: 4 }) audio?: AudioRenditionDto[];
}

export const JOB_SPEC_EXAMPLE = {
  name: 'news-channel',
  input: { protocol: 'rtmp' },
  output: { formats: ['hls', 'dash'] },
  video: [
    { name: '720p', codec: 'h264', width: 1280, height: 720, bitrateKbps: 3000 },
    { name: '360p', codec: 'h264', width: 640, height: 360, bitrateKbps: 800 },
  ],
  audio: [{ name: 'aac', codec: 'aac', bitrateKbps: 128 }],
};
