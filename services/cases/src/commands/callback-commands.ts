import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '@rapport/contracts';
import type { CaseCommand } from '../case/decide';
import { CASES, type Cases } from '../cases';
import { runCaseCommand, type CommandAnswer } from './run-case-command';

// Staff actions on callbacks, appended to callback-<id>.
// Each handler only does: read (outside facts + own stream) → fold → decide → append with the expected revision.

export class RequestCallback {
  constructor(
    readonly callbackId: string,
    readonly data: Extract<CaseCommand, { kind: 'request' }>['data'],
    readonly idempotencyKey: string,
    readonly actor?: Actor,
    readonly expectedRevision?: number,
    readonly customerId: string = '',
  ) {}
}

@CommandHandler(RequestCallback)
export class RequestCallbackHandler implements ICommandHandler<RequestCallback, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: Cases) {}

  execute(c: RequestCallback): Promise<CommandAnswer> {
    const command = { kind: 'request', data: c.data, customerId: c.customerId } as CaseCommand;
    return runCaseCommand(this.cases, { caseKind: 'callback', sourceId: c.callbackId, command, idempotencyKey: c.idempotencyKey, actor: c.actor, expectedRevision: c.expectedRevision });
  }
}

export class ScheduleCallback {
  constructor(
    readonly callbackId: string,
    readonly data: Extract<CaseCommand, { kind: 'schedule' }>['data'],
    readonly idempotencyKey: string,
    readonly actor?: Actor,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(ScheduleCallback)
export class ScheduleCallbackHandler implements ICommandHandler<ScheduleCallback, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: Cases) {}

  execute(c: ScheduleCallback): Promise<CommandAnswer> {
    const command = { kind: 'schedule', data: c.data } as CaseCommand;
    return runCaseCommand(this.cases, { caseKind: 'callback', sourceId: c.callbackId, command, idempotencyKey: c.idempotencyKey, actor: c.actor, expectedRevision: c.expectedRevision });
  }
}

export class CompleteCallback {
  constructor(
    readonly callbackId: string,
    readonly data: Extract<CaseCommand, { kind: 'complete' }>['data'],
    readonly idempotencyKey: string,
    readonly actor?: Actor,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(CompleteCallback)
export class CompleteCallbackHandler implements ICommandHandler<CompleteCallback, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: Cases) {}

  execute(c: CompleteCallback): Promise<CommandAnswer> {
    const command = { kind: 'complete', data: c.data } as CaseCommand;
    return runCaseCommand(this.cases, { caseKind: 'callback', sourceId: c.callbackId, command, idempotencyKey: c.idempotencyKey, actor: c.actor, expectedRevision: c.expectedRevision });
  }
}

export class CancelCallback {
  constructor(
    readonly callbackId: string,
    readonly data: Extract<CaseCommand, { kind: 'cancel' }>['data'],
    readonly idempotencyKey: string,
    readonly actor?: Actor,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(CancelCallback)
export class CancelCallbackHandler implements ICommandHandler<CancelCallback, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: Cases) {}

  execute(c: CancelCallback): Promise<CommandAnswer> {
    const command = { kind: 'cancel', data: c.data } as CaseCommand;
    return runCaseCommand(this.cases, { caseKind: 'callback', sourceId: c.callbackId, command, idempotencyKey: c.idempotencyKey, actor: c.actor, expectedRevision: c.expectedRevision });
  }
}

export const CALLBACK_HANDLERS = [RequestCallbackHandler, ScheduleCallbackHandler, CompleteCallbackHandler, CancelCallbackHandler];
