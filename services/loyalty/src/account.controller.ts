import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { actorOf, type Principal } from '@rapport/platform';
import { CurrentPrincipal, Roles } from '@rapport/platform/nest';
import { mergeGroupIn } from '@rapport/projections';
import { redirectIfMerged, type MergedAnswer } from '@rapport/projections/nest';
import type { FastifyReply } from 'fastify';
import { readAccountView, type AccountAnswer } from './account/queries';
import { AdjustPoints } from './adjustment/adjust-points';
import { accountQuery, adjustmentBody, ledgerQuery, parseCustomerId, parseInput, redemptionBody } from './http-input';
import { LOYALTY, type Loyalty } from './loyalty';
import { LOYALTY_MERGES_SCHEMA } from './merges/projection';
import { readLedger, type LedgerPage } from './read-model/queries';
import { RedeemPoints } from './redemption/redeem-points';

interface CommandAnswer {
  readonly customerId: string;
  readonly eventId: string;
  readonly points: number;
  readonly reason: string;
  readonly idempotencyKey: string;
}

@ApiTags('loyalty')
@Controller('v1/customers/:customerId/loyalty')
export class AccountController {
  constructor(
    @Inject(LOYALTY) private readonly loyalty: Loyalty,
    private readonly commands: CommandBus,
  ) {}

  @Get()
  @Roles('support', 'analyst')
  @ApiOperation({ summary: 'Available, pending and lifetime points, tier and progress, points expiring soon; asOf answers for any past instant' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601 instant; default now' })
  async account(@Param('customerId') customerId: string, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<AccountAnswer | MergedAnswer> {
    const { asOf } = parseInput(accountQuery, query);
    const id = parseCustomerId(customerId);
    const merged = await this.redirectIfMerged(id, reply, '', query);
    if (merged) return merged;
    const at = asOf ? new Date(asOf).toISOString() : this.loyalty.clock.now().toISOString();
    return readAccountView(this.loyalty.store, this.loyalty.rules, id, at, await mergeGroupIn(this.loyalty.db, LOYALTY_MERGES_SCHEMA, id));
  }

  /** A merged account's reads answer 307 under the survivor (whose reads include it). */
  private redirectIfMerged(customerId: string, reply: FastifyReply, suffix: string, query: unknown) {
    const queryString = new URLSearchParams(query as Record<string, string>).toString();
    return redirectIfMerged(this.loyalty.db, LOYALTY_MERGES_SCHEMA, customerId, reply, (survivor) => `/v1/customers/${survivor}/loyalty${suffix}${queryString ? `?${queryString}` : ''}`);
  }

  @Get('ledger')
  @Roles('support', 'analyst')
  @ApiOperation({ summary: 'Every movement, oldest first, with its reason, rule, rules version and source event' })
  async ledger(@Param('customerId') customerId: string, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<LedgerPage | MergedAnswer> {
    const { cursor, limit } = parseInput(ledgerQuery, query);
    const id = parseCustomerId(customerId);
    const merged = await this.redirectIfMerged(id, reply, '/ledger', query);
    if (merged) return merged;
    const members = await mergeGroupIn(this.loyalty.db, LOYALTY_MERGES_SCHEMA, id);
    return readLedger(this.loyalty.db, id, cursor === undefined ? undefined : Number(cursor), limit, members);
  }

  @Post('redemptions')
  @HttpCode(201)
  @Roles('support')
  @ApiOperation({ summary: 'Redeem points, oldest lots first; the same idempotencyKey redeems once and gets the first answer' })
  async redeem(@Param('customerId') customerId: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<CommandAnswer> {
    const id = parseCustomerId(customerId);
    const { points, reason, idempotencyKey } = parseInput(redemptionBody, body);
    const answer = await this.commands.execute(new RedeemPoints(id, points, reason, idempotencyKey, actorOf(principal)));
    return { customerId: id, eventId: answer.eventId, points: answer.points, reason: answer.reason, idempotencyKey };
  }

  @Post('adjustments')
  @HttpCode(201)
  @ApiOperation({ summary: 'Admin only: add (positive) or take (negative) points, with a reason' })
  async adjust(@Param('customerId') customerId: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<CommandAnswer> {
    const id = parseCustomerId(customerId);
    const { points, reason, idempotencyKey } = parseInput(adjustmentBody, body);
    const answer = await this.commands.execute(new AdjustPoints(id, points, reason, idempotencyKey, actorOf(principal)));
    return { customerId: id, eventId: answer.eventId, points: answer.points, reason: answer.reason, idempotencyKey };
  }
}
