import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '@rapport/platform/nest';
import { CASES, type CasesReader } from './cases';
import { InvalidInputError } from './errors';
import { customerCasesInput, metricsQuery, parseInput, queueQuery } from './http-input';
import { readCustomerCases } from './read-model/customer-cases';
import { readMetrics } from './read-model/metrics';
import { readCase, readQueue } from './read-model/queries';

const CASE_ID = /^(complaint|callback)-[A-Za-z0-9_.:@+-]{1,128}$/;

@ApiTags('cases')
@Controller('v1')
export class CasesController {
  constructor(@Inject(CASES) private readonly cases: CasesReader) {}

  @Get('cases')
  @Roles('support')
  @ApiOperation({ summary: 'The work queue: complaints and callbacks ordered by due instant (none last), keyset-paged' })
  @ApiQuery({ name: 'kind', required: false, enum: ['complaint', 'callback'] })
  @ApiQuery({ name: 'status', required: false })
  @ApiQuery({ name: 'assignee', required: false })
  @ApiQuery({ name: 'breached', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'dueBefore', required: false, description: 'ISO-8601 instant' })
  @ApiQuery({ name: 'customerId', required: false, description: "One customer's cases (the profile's open complaints and pending callbacks)" })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  queue(@Query() query: unknown) {
    return readQueue(this.cases.db, parseInput(queueQuery, query));
  }

  @Get('cases/by-customer/:customerId')
  @Roles('support', 'analyst')
  @ApiOperation({ summary: "A customer's open complaints and pending callbacks: what the customer profile shows (the scaled timeline asks here)" })
  @ApiQuery({ name: 'merged', required: false, description: 'Comma-separated ids of customers merged into this one, whose cases count too (at most 100)' })
  customerCases(@Param('customerId') customerId: string, @Query('merged') merged: unknown) {
    const input = parseInput(customerCasesInput, { customerId, merged });
    return readCustomerCases(this.cases.db, [input.customerId, ...input.merged]);
  }

  @Get('cases/:id')
  @Roles('support')
  @ApiOperation({ summary: 'One case (id as in the queue, e.g. complaint-cmp-1) with its full history and SLA clocks' })
  case(@Param('id') id: string) {
    if (!CASE_ID.test(id)) throw new InvalidInputError('id', 'must be complaint-<id> or callback-<id>, as the queue names cases');
    return readCase(this.cases.db, id);
  }

  @Get('service/metrics')
  @Roles('analyst', 'support')
  @ApiOperation({ summary: 'Volumes, SLA attainment, first-response and resolution p50/p90 (business and calendar), CSAT and NPS; aggregates only' })
  @ApiQuery({ name: 'from', required: true, description: 'ISO-8601 instant (inclusive)' })
  @ApiQuery({ name: 'to', required: true, description: 'ISO-8601 instant (exclusive)' })
  @ApiQuery({ name: 'groupBy', required: false, enum: ['day', 'week', 'month', 'channel', 'category', 'severity', 'assignee'] })
  metrics(@Query() query: unknown) {
    const { from, to, groupBy } = parseInput(metricsQuery, query);
    return readMetrics(this.cases.db, new Date(from).toISOString(), new Date(to).toISOString(), groupBy);
  }
}
