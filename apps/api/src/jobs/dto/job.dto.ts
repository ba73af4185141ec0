import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { JOB_STATUSES } from '@ezlive/domain';
import { FieldIssueDto } from '../../problem/problem.dto';
import { JobSpecDto } from './job-spec.dto';
import { JobStatsDto } from './job-stats.dto';

const ID = '01JD3Z6Y9V7Q8W2E4R5T6Y7U8V';

export class SrtIngestDto {
  @ApiProperty({ example: 'srt://worker-1.example.net:10001' }) url!: string;
  @ApiProperty({ example: 'yJ8f…', description: 'Masked in list responses' }) passphrase!: string;
}

export class IngestDto {
  @ApiProperty({ enum: ['pending', 'ready'], description: 'ready once a worker runs the job' })
  status!: 'pending' | 'ready';
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'rtmp://worker-1.example.net:1935/live/3q2-ZbC9Xx8pQ1rT0mN4vA',
    description: "'pending' until placed; null when the job ingests SRT",
  })
  rtmp!: string | null;
  @ApiProperty({ nullable: true, description: "'pending' until placed; null for RTMP jobs" })
  srt!: SrtIngestDto | 'pending' | null;
}

export class PlaybackDto {
  @ApiProperty({
    nullable: true,
    type: String,
    example: `http://localhost:8080/media/${ID}/master.m3u8`,
  })
  hls!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: `http://localhost:8080/media/${ID}/manifest.mpd`,
  })
  dash!: string | null;
}

export class LastErrorDto {
  @ApiProperty() reason!: string;
  @ApiProperty({ type: [String] }) detail!: string[];
  @ApiProperty() at!: string;
}

export class JobDto {
  @ApiProperty({ example: ID, description: 'ULID' }) id!: string;
  @ApiProperty({ example: 'news-channel' }) name!: string;
  @ApiProperty({ enum: JOB_STATUSES, example: 'created' }) state!: string;
  @ApiProperty({ type: JobSpecDto, description: 'Normalised: every default filled' })
  spec!: JobSpecDto;
  @ApiProperty({ type: [FieldIssueDto] }) warnings!: FieldIssueDto[];
  @ApiProperty({
    example: '3q2-ZbC9Xx8pQ1rT0mN4vA',
    description: 'Full key for the owner on create/get; masked (`abcd…`) in lists',
  })
  streamKey!: string;
  @ApiProperty({ example: 'a1b2c3d4e5f6', description: 'sha256 prefix of the stream key' })
  streamKeyFingerprint!: string;
  @ApiProperty({ type: IngestDto }) ingest!: IngestDto;
  @ApiProperty({ type: PlaybackDto, description: 'Stable for the life of the job' })
  playback!: PlaybackDto;
  @ApiProperty({ example: '2026-11-23T19:00:00.000Z' }) createdAt!: string;
  @ApiProperty({ example: '2026-11-23T19:00:00.000Z' }) updatedAt!: string;
  @ApiProperty({ example: 1, description: 'Job stream version folded into this view' })
  version!: number;
  @ApiProperty({ example: 0 }) attempt!: number;
  @ApiProperty({ nullable: true, type: String, example: null }) workerId!: string | null;
  @ApiProperty({ nullable: true, type: Object, example: null }) input!: object | null;
  @ApiProperty({ example: 0 }) restarts!: number;
  @ApiProperty({ nullable: true, type: LastErrorDto }) lastError!: LastErrorDto | null;
  @ApiProperty({ nullable: true, type: String, example: null }) stopReason!: string | null;
  @ApiPropertyOptional({ nullable: true, type: JobStatsDto, description: 'GET one only' })
  stats?: JobStatsDto | null;
}

export class JobPageDto {
  @ApiProperty({ type: [JobDto] }) items!: JobDto[];
  @ApiProperty({ nullable: true, type: String, example: ID, description: 'null on the last page' })
  nextCursor!: string | null;
}

export class CommandAcceptedDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ enum: JOB_STATUSES, example: 'stopping' }) state!: string;
  @ApiProperty({ example: 6, description: 'Job stream version after the command' })
  version!: number;
}
