import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@rapport/platform';
import { CurrentPrincipal, Roles } from '@rapport/platform/nest';
import { derivedId } from './case/decide';
import { actOnCase, type HeaderMap } from './commands/act-on-case';
import type { CommandAnswer } from './commands/run-case-command';
import { assignBody, escalateBody, fileComplaintBody, parseIdempotencyKey, parseInput, reopenBody, resolveBody, respondBody } from './http-input';

@ApiTags('cases')
@ApiHeader({ name: 'Idempotency-Key', required: true, description: 'A retry with the same key gets the first answer and appends nothing' })
@ApiHeader({ name: 'If-Match', required: false, description: 'Act only if the complaint is still at this revision (409 otherwise)' })
@Roles('support')
@Controller('v1/complaints')
export class ComplaintsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'File a complaint from the console (complaintId derived from the Idempotency-Key when left out)' })
  file(@Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    const key = parseIdempotencyKey(headers['idempotency-key']);
    const { customerId, complaintId, ...data } = parseInput(fileComplaintBody, body);
    const id = complaintId ?? `cmp-${derivedId('console-complaint', key)}`;
    return this.commands.execute(actOnCase('complaint', id, { kind: 'file', customerId, data: { ...data, complaintId: id } }, headers, principal));
  }

  @Post(':id/responses')
  @HttpCode(201)
  @ApiOperation({ summary: 'Answer the customer; awaitingCustomer: true pauses the resolution clock until they reply' })
  respond(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.commands.execute(actOnCase('complaint', id, { kind: 'respond', data: parseInput(respondBody, body) }, headers, principal));
  }

  @Post(':id/escalations')
  @HttpCode(201)
  @ApiOperation({ summary: 'Escalate to a higher level, with a reason' })
  escalate(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.commands.execute(actOnCase('complaint', id, { kind: 'escalate', data: parseInput(escalateBody, body) }, headers, principal));
  }

  @Post(':id/assignment')
  @HttpCode(201)
  @ApiOperation({ summary: 'Give the complaint to a staff member' })
  assign(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.commands.execute(actOnCase('complaint', id, { kind: 'assign', data: parseInput(assignBody, body) }, headers, principal));
  }

  @Post(':id/resolution')
  @HttpCode(201)
  @ApiOperation({ summary: 'Resolve, optionally with compensation in money and/or loyalty points (the loyalty service awards them)' })
  resolve(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.commands.execute(actOnCase('complaint', id, { kind: 'resolve', data: parseInput(resolveBody, body) }, headers, principal));
  }

  @Post(':id/reopen')
  @HttpCode(201)
  @ApiOperation({ summary: 'Reopen a resolved complaint' })
  reopen(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.commands.execute(actOnCase('complaint', id, { kind: 'reopen', data: parseInput(reopenBody, body ?? {}) }, headers, principal));
  }
}
