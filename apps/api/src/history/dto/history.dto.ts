import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

const ID = '01JD3Z6Y9V7Q8W2E4R5T6Y7U8V';

export class EventMetadataDto {
  @ApiProperty({ example: '01JD3Z6YA0000000000000000A' }) eventId!: string;
  @ApiProperty({ example: `job-${ID}` }) streamId!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ example: '2026-11-23T19:00:00.000Z' }) at!: string;
  @ApiProperty({ example: 'api', description: 'api | scheduler | reconciler | cli | worker:<id>' })
  actor!: string;
  @ApiProperty({ example: '01JD3Z6Y9V7Q8W2E4R5T6Y7U8W' }) correlationId!: string;
  @ApiProperty({ nullable: true, type: String, example: null }) causationId!: string | null;
  @ApiPropertyOptional({ example: ID }) jobId?: string;
}

export class RecordedEventDto {
  @ApiProperty({ example: 'JobCreated' }) type!: string;
  @ApiProperty({ type: Object, example: { jobId: ID } }) data!: object;
  @ApiProperty({ type: EventMetadataDto }) metadata!: EventMetadataDto;
}

export class JobHistoryDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ example: 3, description: 'Current stream version' }) version!: number;
  @ApiProperty({ type: [RecordedEventDto] }) events!: RecordedEventDto[];
}

export class JobStateAtDto {
  @ApiProperty({ example: ID }) id!: string;
  @ApiProperty({ example: 2, description: 'Version reached (0: before the job existed)' })
  version!: number;
  @ApiProperty({ nullable: true, type: String, example: '2026-11-23T19:00:01.000Z' })
  at!: string | null;
  @ApiProperty({
    type: Object,
    description: "The domain state folded to that point (status 'initial' before creation)",
    example: { status: 'queued', jobId: ID, attempt: 0, restarts: 0 },
  })
  state!: object;
  @ApiProperty({ nullable: true, type: Object, description: 'The job view folded to that point' })
  view!: object | null;
}
