import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '@rapport/contracts';
import type { Principal } from '@rapport/platform';
import { CurrentPrincipal, Roles } from '@rapport/platform/nest';
import { derivedId } from './case/decide';
import { CancelCallback, CompleteCallback, RequestCallback, ScheduleCallback } from './commands/callback-commands';
import type { CommandAnswer } from './commands/run-case-command';
import { actorOf } from './complaints.controller';
import { cancelBody, completeBody, parseId, parseIdempotencyKey, parseIfMatch, parseInput, requestCallbackBody, scheduleBody } from './http-input';

type HeaderMap = Record<string, string | string[] | undefined>;

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
    return this.commands.execute(new RequestCallback(id, { ...data, callbackId: id }, key, actorOf(principal), parseIfMatch(headers['if-match']), customerId));
  }

  @Post(':id/schedule')
  @HttpCode(201)
  @ApiOperation({ summary: 'Schedule (or reschedule) the call, with an assignee' })
  schedule(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.run(ScheduleCallback, id, parseInput(scheduleBody, body), headers, principal);
  }

  @Post(':id/completion')
  @HttpCode(201)
  @ApiOperation({ summary: 'Record the call: outcome, duration, notes; follow_up_needed opens a new callback' })
  complete(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.run(CompleteCallback, id, parseInput(completeBody, body), headers, principal);
  }

  @Post(':id/cancellation')
  @HttpCode(201)
  @ApiOperation({ summary: 'Cancel the callback' })
  cancel(@Param('id') id: string, @Body() body: unknown, @Headers() headers: HeaderMap, @CurrentPrincipal() principal?: Principal): Promise<CommandAnswer> {
    return this.run(CancelCallback, id, parseInput(cancelBody, body ?? {}), headers, principal);
  }

  private run<D>(
    Command: new (id: string, data: D, key: string, actor?: Actor, expectedRevision?: number) => object,
    id: string,
    data: D,
    headers: HeaderMap,
    principal: Principal | undefined,
  ): Promise<CommandAnswer> {
    const callbackId = parseId('id', id);
    const key = parseIdempotencyKey(headers['idempotency-key']);
    return this.commands.execute(new Command(callbackId, data, key, actorOf(principal), parseIfMatch(headers['if-match'])));
  }
}
