import { Controller, Get, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '@rapport/platform/nest';
import { redirectIfMerged } from '@rapport/projections/nest';
import type { FastifyReply } from 'fastify';
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
  async get(@Param('customerId') customerId: string, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const id = parseCustomerId(customerId);
    const { asOf } = parseInput(asOfQuery, query);
    // A merged customer's facts are scored with its survivor's (snapshot/measures-sql.ts).
    const queryString = new URLSearchParams(query as Record<string, string>).toString();
    const merged = await redirectIfMerged(this.segments.db, 'segments', id, reply, (survivor) => `/v1/customers/${survivor}/segment${queryString ? `?${queryString}` : ''}`);
    if (merged) return merged;
    const { snapshot, basis } = await findSnapshot(this.segments.db, asOf);
    return customerSegment(this.segments.db, snapshot, basis, id);
  }
}
