import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '@rapport/platform/nest';
import { SEGMENTS, type Segments } from '../segments';
import { asOfQuery, parseCustomerId, parseInput } from './http-input';
import { customerSegment, findSnapshot } from './queries';

@ApiTags('segments')
@Controller('v1/customers/:customerId/segment')
export class CustomerSegmentController {
  constructor(@Inject(SEGMENTS) private readonly segments: Segments) {}

  @Get()
  @Roles('analyst')
  @ApiOperation({ summary: 'Scores, segment, flags and the explanation: R/F/M values, quintile boundaries, the rule, P(alive) and CLV' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601; default the latest snapshot' })
  async get(@Param('customerId') customerId: string, @Query() query: unknown) {
    const id = parseCustomerId(customerId);
    const { asOf } = parseInput(asOfQuery, query);
    const { snapshot, basis } = await findSnapshot(this.segments.db, asOf);
    return customerSegment(this.segments.db, snapshot, basis, id);
  }
}
