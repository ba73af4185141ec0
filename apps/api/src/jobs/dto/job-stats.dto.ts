import { ApiProperty } from '@nestjs/swagger';

export class JobStatsDto {
  @ApiProperty({ example: '2026-11-23T19:00:02.000Z' }) at!: string;
  @ApiProperty({ example: 1 }) attempt!: number;
  @ApiProperty({ nullable: true, type: Number, example: 2480 }) ingestBitrateKbps!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    example: 6200000,
    description: 'null for SRT: FFmpeg itself listens and reports no byte count',
  })
  ingestBytes!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 30 }) outputFps!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 1.01 }) speed!: number | null;
  @ApiProperty({ example: 0 }) droppedFrames!: number;
  @ApiProperty({ example: 0 }) dupFrames!: number;
  @ApiProperty({ nullable: true, type: Number, example: 143.5 }) ffmpegCpuPercent!: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 180000000 }) rssBytes!: number | null;
  @ApiProperty({ example: 20 }) uptimeSec!: number;
  @ApiProperty({ example: 18 }) activeSec!: number;
  @ApiProperty({ example: 0 }) restarts!: number;
  @ApiProperty({ nullable: true, type: String, example: null }) lastError!: string | null;
}

export class JobStatsSeriesDto {
  @ApiProperty({ example: '01JD3Z6Y9V7Q8W2E4R5T6Y7U8V' }) id!: string;
  @ApiProperty({ nullable: true, type: JobStatsDto }) latest!: JobStatsDto | null;
  @ApiProperty({ type: [JobStatsDto], description: 'Oldest first, ~5 min at 2 s' })
  series!: JobStatsDto[];
}
