import { Controller, Get, Inject, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { parseInput } from '@rapport/platform';
import { Roles } from '@rapport/platform/nest';
import { consentCheckQuery, customerIdParam, violationsQuery } from '../http-input';
import { PRIVACY, type Privacy } from '../privacy';
import { checkConsents, readConsents, readViolations } from './queries';

@ApiTags('privacy')
@Controller('v1')
export class ConsentsController {
  constructor(@Inject(PRIVACY) private readonly privacy: Privacy) {}

  @Get('customers/:customerId/consents')
  @Roles('support', 'analyst')
  @ApiOperation({ summary: "A customer's consents: the latest per purpose and channel, and the whole history" })
  consents(@Param('customerId') customerId: string) {
    return readConsents(this.privacy.db, parseInput(customerIdParam, customerId, 'customerId'));
  }

  @Get('consents/check')
  @Roles('analyst', 'support')
  @ApiOperation({ summary: 'Audience check: which of the given customers may be contacted for a purpose on a channel at an instant' })
  @ApiQuery({ name: 'purpose', required: true, enum: ['marketing', 'profiling', 'analytics', 'service'] })
  @ApiQuery({ name: 'channel', required: true, enum: ['email', 'sms', 'phone', 'post', 'any'] })
  @ApiQuery({ name: 'customers', required: true, description: 'Comma-separated customer ids (at most 1000)' })
  @ApiQuery({ name: 'at', required: false, description: 'ISO-8601 instant; now when left out' })
  async check(@Query() query: unknown) {
    const { purpose, channel, customers, at } = parseInput(consentCheckQuery, query);
    const instant = at === undefined ? this.privacy.now().toISOString() : new Date(at).toISOString();
    const verdicts = await checkConsents(this.privacy.db, purpose, channel, customers, instant);
    const allowed = customers.filter((id) => verdicts.get(id) === true);
    return {
      purpose,
      channel,
      at: instant,
      allowed,
      denied: customers.filter((id) => verdicts.get(id) !== true),
      customers: customers.map((id) => ({ customerId: id, consented: verdicts.get(id) === true })),
    };
  }

  @Get('compliance/violations')
  @Roles('admin')
  @ApiOperation({ summary: 'Campaign messages sent to customers without a marketing consent for the channel at that instant' })
  @ApiQuery({ name: 'from', required: false })
  @ApiQuery({ name: 'to', required: false })
  @ApiQuery({ name: 'customerId', required: false })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'limit', required: false })
  violations(@Query() query: unknown) {
    const parsed = parseInput(violationsQuery, query);
    return readViolations(this.privacy.db, { ...parsed, afterPosition: parsed.cursor === undefined ? undefined : Number(parsed.cursor) });
  }
}
