import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { type Principal } from '@rapport/platform';
import { CurrentPrincipal, Roles } from '@rapport/platform/nest';
import { z } from 'zod';
import { audienceOf } from '../audience';
import { parseQuery } from '../errors';
import { TIMELINE, type Timeline } from '../timeline';
import { searchCustomers, type SearchPage } from './queries';

const searchQuery = z.object({
  q: z.string().trim().min(1).max(200),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(400).optional(),
});

@ApiTags('customers')
@Controller('v1/customers')
export class SearchController {
  constructor(@Inject(TIMELINE) private readonly timeline: Timeline) {}

  @Get()
  @Roles('support', 'analyst')
  @ApiOperation({ summary: 'Find customers by id, email, phone (any common format) or name prefix; ranked in that order' })
  @ApiQuery({ name: 'q', required: true })
  @ApiQuery({ name: 'limit', required: false, description: '1–100, default 20' })
  @ApiQuery({ name: 'cursor', required: false })
  search(@Query() query: unknown, @CurrentPrincipal() principal: Principal): Promise<SearchPage> {
    const { q, limit, cursor } = parseQuery(searchQuery, query);
    return searchCustomers(this.timeline.db, q, limit, cursor, audienceOf(principal));
  }
}
