import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { type Principal } from '@rapport/platform';
import { CurrentPrincipal, Roles } from '@rapport/platform/nest';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { audienceOf } from '../audience';
import { CustomerNotFoundError } from '../errors';
import { redirectIfMerged, type MergedAnswer } from '@rapport/projections/nest';
import { IDENTITIES_SCHEMA, mergeGroup } from '../identities/queries';
import { TIMELINE, type Timeline } from '../timeline';
import { readProfile, type ProfileSummary } from './queries';

@ApiTags('customers')
@Controller('v1/customers/:customerId')
export class ProfileController {
  constructor(@Inject(TIMELINE) private readonly timeline: Timeline) {}

  @Get()
  @Roles('support', 'analyst')
  @ApiOperation({ summary: 'Profile summary: identity, consents, first/last seen, orders and net spend, open complaints, pending callbacks' })
  async profile(
    @Param('customerId') customerId: string,
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProfileSummary | MergedAnswer> {
    const merged = await redirectIfMerged(this.timeline.db, IDENTITIES_SCHEMA, customerId, reply, (survivor) => `/v1/customers/${survivor}`);
    if (merged) return merged;
    const members = await mergeGroup(this.timeline.db, customerId);
    const profile = await readProfile(this.timeline.db, customerId, audienceOf(principal), members);
    if (!profile) throw new CustomerNotFoundError(customerId);
    const reader = this.timeline.customerCases;
    const { authorization, cookie } = request.headers;
    const cases = reader ? await reader(this.timeline.db, members, { authorization, cookie }) : undefined;
    return cases ? { ...profile, ...cases, casesSource: 'cases' as const } : profile;
  }
}
