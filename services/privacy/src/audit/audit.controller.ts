import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { isoDateTime } from '@rapport/contracts';
import { parseInput } from '@rapport/platform';
import { Roles } from '@rapport/platform/nest';
import { z } from 'zod';
import { customerIdParam } from '../http-input';
import { PRIVACY, type Privacy } from '../privacy';

const auditQuery = z.strictObject({
  customerId: customerIdParam.optional(),
  actorId: z.string().min(1).max(200).optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  cursor: z.string().regex(/^\d{1,18}$/, 'must be the nextCursor of the previous page').optional(),
  limit: z.coerce.number().int('must be a whole number').min(1).max(500).default(100),
});

@ApiTags('privacy')
@Controller('v1/admin/audit')
export class AuditController {
  constructor(@Inject(PRIVACY) private readonly privacy: Privacy) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Who read which customer’s data, from which route, when and from where; newest first' })
  @ApiQuery({ name: 'customerId', required: false })
  @ApiQuery({ name: 'actorId', required: false, description: 'API key or staff id' })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  audit(@Query() query: unknown) {
    const { cursor, ...filters } = parseInput(auditQuery, query);
    return this.privacy.audit.read({ ...filters, beforeId: cursor });
  }
}
