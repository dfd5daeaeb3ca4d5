import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '@rapport/platform/nest';
import { InvalidInputError } from './errors';
import { parseInput, simulationBody, summaryQuery } from './http-input';
import { LOYALTY, type Loyalty } from './loyalty';
import { readSummary, type LoyaltySummary } from './read-model/queries';
import { parseRules } from './rules/rules';
import { simulate, type SimulationReport } from './simulation/simulate';

const YEAR_MS = 365 * 86_400_000;

@ApiTags('loyalty')
@Controller('v1/loyalty')
export class SummaryController {
  constructor(@Inject(LOYALTY) private readonly loyalty: Loyalty) {}

  @Get('summary')
  @Roles('analyst')
  @ApiOperation({ summary: 'Members per tier and points liability as of `to`; earned, redeemed, expired, reversed per month in [from, to)' })
  @ApiQuery({ name: 'from', required: false, description: 'ISO-8601; default a year before `to`' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601; default now' })
  summary(@Query() query: unknown): Promise<LoyaltySummary> {
    const parsed = parseInput(summaryQuery, query);
    const to = parsed.to ? new Date(parsed.to) : this.loyalty.clock.now();
    const from = parsed.from ? new Date(parsed.from) : new Date(to.getTime() - YEAR_MS);
    if (from > to) throw new InvalidInputError('from', 'must not be after to');
    return readSummary(this.loyalty.db, from.toISOString(), to.toISOString(), this.loyalty.rules.at(to.toISOString()).tiers.map((tier) => tier.name));
  }

  @Post('simulations')
  @HttpCode(200)
  @ApiOperation({ summary: 'Admin only: replay facts, redemptions and adjustments under the live and candidate rules (YAML) into a scratch schema and compare; writes nothing live. `keep: true` keeps the schema and names it' })
  simulate(@Body() body: unknown): Promise<SimulationReport> {
    const parsed = parseInput(simulationBody, body);
    const candidate = parseRules(parsed.rules, 'candidate');
    const to = (parsed.to ? new Date(parsed.to) : this.loyalty.clock.now()).toISOString();
    const from = parsed.from ? new Date(parsed.from).toISOString() : null;
    if (from !== null && from > to) throw new InvalidInputError('from', 'must not be after to');
    return simulate(this.loyalty.db, this.loyalty.store, this.loyalty.rules, candidate, { from, to, keep: parsed.keep });
  }
}
