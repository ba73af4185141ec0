import { Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { EVENT_SOURCING, EventSourcing } from '@ezlive/infra';
import { ApiV1 } from '../problem/api-problems.decorator';

export class RebuildReportDto {
  @ApiProperty({ example: 4 }) generation!: number;
  @ApiProperty({ example: 3 }) previousGeneration!: number;
  @ApiProperty({ example: 120345 }) events!: number;
  @ApiProperty({ example: 20012 }) documents!: number;
  @ApiProperty({ example: 2140 }) ms!: number;
}

/** Operator endpoints; the API key guard requires the admin scope under /v1/admin. */
@ApiTags('admin')
@Controller('v1/admin')
export class AdminController {
  constructor(@Inject(EVENT_SOURCING) private readonly es: EventSourcing) {}

  @Post('projections/rebuild')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rebuild every read model into a fresh generation and switch atomically',
  })
  @ApiOkResponse({ type: RebuildReportDto })
  @ApiV1(403, 409)
  rebuild(): Promise<RebuildReportDto> {
    return this.es.admin.rebuild();
  }
}
