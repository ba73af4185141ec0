import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldIssueDto {
  @ApiProperty({ example: 'video[0].bitrateKbps', description: 'JS notation; "" = whole body' })
  path!: string;
  @ApiProperty({ example: 'TOO_LARGE' }) code!: string;
  @ApiProperty({ example: 'bitrateKbps must not be greater than 20000' }) message!: string;
}

/** RFC 9457 problem details (`application/problem+json`). */
export class ProblemDto {
  @ApiProperty({ example: 'urn:ezlive:problem:job-not-found' }) type!: string;
  @ApiProperty({ example: 'Job not found' }) title!: string;
  @ApiProperty({ example: 404 }) status!: number;
  @ApiProperty({ example: 'job does not exist' }) detail!: string;
  @ApiProperty({ example: '/v1/jobs/01JD3Z6Y9V7Q8W2E4R5T6Y7U8I' }) instance!: string;
  @ApiProperty({ example: 'JOB_NOT_FOUND', description: 'Stable code (docs/api.md#errors)' })
  code!: string;
  @ApiPropertyOptional({ type: [FieldIssueDto] }) errors?: FieldIssueDto[];
  @ApiPropertyOptional({ type: [FieldIssueDto] }) warnings?: FieldIssueDto[];
}
