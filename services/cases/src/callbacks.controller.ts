import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Principal } from '@rapport/platform';
import { CurrentPrincipal, Roles } from '@rapport/platform/nest';
import { derivedId } from './case/decide';
import { actOnCase, type HeaderMap } from './commands/act-on-case';
import type { CommandAnswer } from './commands/run-case-command';
import { cancelBody, completeBody, parseIdempotencyKey, parseInput, requestCallbackBody, scheduleBody } from './http-input';

@ApiTags('cases')
@ApiHeader({ name: 'Idempotency-Key', required: true, description: 'A retry with the same key gets the first answer and appends nothing' })
@ApiHeader({ name: 'If-Match', required: false, description: 'Act only if the callback is still at this revision (409 otherwise)' })
@Roles('support')
@Controller('v1/callbacks')
export class CallbacksController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Open a callback from the console (callbackId derived from the Idempotency-Key when left out)' })
  request(@Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    const key = parseIdempotencyKey(headers['idempotency-key']);
    const { customerId, callbackId, ...data } = parseInput(requestCallbackBody, body);
    const id = callbackId ?? `cb-${derivedId('console-callback', key)}`;
    return this.commands.execute(actOnCase('callback', id, { kind: 'request', customerId, data: { ...data, callbackId: id } }, headers, principal));
  }

  @Post(':id/schedule')
  @HttpCode(201)
  @ApiOperation({ summary: 'Schedule (or reschedule) the call, with an assignee' })
  schedule(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.commands.execute(actOnCase('callback', id, { kind: 'schedule', data: parseInput(scheduleBody, body) }, headers, principal));
  }

  @Post(':id/completion')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record the call: outcome, duration, notes; follow_up_needed opens a new callback' })
  complete(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.commands.execute(actOnCase('callback', id, { kind: 'complete', data: parseInput(completeBody, body) }, headers, principal));
  }

  @Post(':id/cancellation')
  @HttpCode(201)
  @ApiOperation({ summary: 'Cancel the callback' })
  cancel(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.commands.execute(actOnCase('callback', id, { kind: 'cancel', data: parseInput(cancelBody, body ?? {}) }, headers, principal));
  }
}
