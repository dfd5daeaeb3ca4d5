import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { merges } from '@rapport/contracts';
import { actorOf, parseInput, type Principal } from '@rapport/platform';
import { CurrentPrincipal, Roles } from '@rapport/platform/nest';
import { z } from 'zod';
import { TIMELINE, type Timeline } from '../timeline';
import { runMergeCommand, type MergeAnswer } from './merge-customers';
import { readIdentity, survivorOf, type IdentitySummary } from './queries';

const customerIdPath = z.object({ customerId: merges.customersMergedData.shape.into });
const unmergeBody = merges.customersUnmergedData.omit({ from: true });

/**
 * Identity: what a customer was seen as, and merges an admin can undo. A merge or unmerge is
 * an event in the merges stream; read models follow it when they answer (queries.ts).
 */
@ApiTags('customers')
@Controller('v1/customers/:customerId')
export class IdentitiesController {
  constructor(@Inject(TIMELINE) private readonly timeline: Timeline) {}

  @Get('identity')
  @Roles('support')
  @ApiOperation({ summary: "The customer's linked visitors, emails and phones, and the customers merged into it; a merged id names its survivor" })
  async identity(@Param('customerId') customerId: string): Promise<IdentitySummary & { mergedInto: string | null }> {
    const mergedInto = (await survivorOf(this.timeline.db, customerId)) ?? null;
    return { ...(await readIdentity(this.timeline.db, customerId)), mergedInto };
  }

  @Post('merge')
  @HttpCode(201)
  @Roles('admin')
  @ApiOperation({
    summary: 'Merge this customer into another (admin): the survivor\'s timeline and profile include its history, its own id redirects there',
    description: 'Appends CustomersMerged. 400 when merged into itself; 409 when it is already merged, the target is merged, it is a survivor itself, or the merge would make a cycle.',
  })
  @ApiBody({ schema: { type: 'object', properties: { into: { type: 'string' }, reason: { type: 'string' } }, required: ['into', 'reason'] } })
  merge(@Param() params: unknown, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<MergeAnswer> {
    const { customerId } = parseInput(customerIdPath, params);
    const { into, reason } = parseInput(merges.customersMergedData, body);
    return runMergeCommand(this.timeline.store, { kind: 'merge', customerId, into, reason }, { actor: actorOf(principal), now: new Date() });
  }

  @Post('unmerge')
  @HttpCode(201)
  @Roles('admin')
  @ApiOperation({ summary: 'Undo the merge of this customer (admin): each customer has exactly its own history again', description: 'Appends CustomersUnmerged; 409 when the customer is not merged.' })
  @ApiBody({ required: false, schema: { type: 'object', properties: { reason: { type: 'string' } } } })
  unmerge(@Param() params: unknown, @Body() body: unknown, @CurrentPrincipal() principal: Principal): Promise<MergeAnswer> {
    const { customerId } = parseInput(customerIdPath, params);
    const { reason } = parseInput(unmergeBody, body ?? {});
    return runMergeCommand(this.timeline.store, { kind: 'unmerge', customerId, reason }, { actor: actorOf(principal), now: new Date() });
  }
}
