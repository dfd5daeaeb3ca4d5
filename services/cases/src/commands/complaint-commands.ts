import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Actor } from '@rapport/contracts';
import type { CaseCommand } from '../case/decide';
import { CASES, type Cases } from '../cases';
import { runCaseCommand, type CommandAnswer } from './run-case-command';

// Staff actions on complaints, appended to complaint-<id>.
// Each handler only does: read (outside facts + own stream) → fold → decide → append with the expected revision.

export class FileComplaint {
  constructor(
    readonly complaintId: string,
    readonly data: Extract<CaseCommand, { kind: 'file' }>['data'],
    readonly idempotencyKey: string,
    readonly actor?: Actor,
    readonly expectedRevision?: number,
    readonly customerId: string = '',
  ) {}
}

@CommandHandler(FileComplaint)
export class FileComplaintHandler implements ICommandHandler<FileComplaint, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: Cases) {}

  execute(c: FileComplaint): Promise<CommandAnswer> {
    const command = { kind: 'file', data: c.data, customerId: c.customerId } as CaseCommand;
    return runCaseCommand(this.cases, { caseKind: 'complaint', sourceId: c.complaintId, command, idempotencyKey: c.idempotencyKey, actor: c.actor, expectedRevision: c.expectedRevision });
  }
}

export class RespondToComplaint {
  constructor(
    readonly complaintId: string,
    readonly data: Extract<CaseCommand, { kind: 'respond' }>['data'],
    readonly idempotencyKey: string,
    readonly actor?: Actor,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(RespondToComplaint)
export class RespondToComplaintHandler implements ICommandHandler<RespondToComplaint, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: Cases) {}

  execute(c: RespondToComplaint): Promise<CommandAnswer> {
    const command = { kind: 'respond', data: c.data } as CaseCommand;
    return runCaseCommand(this.cases, { caseKind: 'complaint', sourceId: c.complaintId, command, idempotencyKey: c.idempotencyKey, actor: c.actor, expectedRevision: c.expectedRevision });
  }
}

export class EscalateComplaint {
  constructor(
    readonly complaintId: string,
    readonly data: Extract<CaseCommand, { kind: 'escalate' }>['data'],
    readonly idempotencyKey: string,
    readonly actor?: Actor,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(EscalateComplaint)
export class EscalateComplaintHandler implements ICommandHandler<EscalateComplaint, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: Cases) {}

  execute(c: EscalateComplaint): Promise<CommandAnswer> {
    const command = { kind: 'escalate', data: c.data } as CaseCommand;
    return runCaseCommand(this.cases, { caseKind: 'complaint', sourceId: c.complaintId, command, idempotencyKey: c.idempotencyKey, actor: c.actor, expectedRevision: c.expectedRevision });
  }
}

export class AssignComplaint {
  constructor(
    readonly complaintId: string,
    readonly data: Extract<CaseCommand, { kind: 'assign' }>['data'],
    readonly idempotencyKey: string,
    readonly actor?: Actor,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(AssignComplaint)
export class AssignComplaintHandler implements ICommandHandler<AssignComplaint, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: Cases) {}

  execute(c: AssignComplaint): Promise<CommandAnswer> {
    const command = { kind: 'assign', data: c.data } as CaseCommand;
    return runCaseCommand(this.cases, { caseKind: 'complaint', sourceId: c.complaintId, command, idempotencyKey: c.idempotencyKey, actor: c.actor, expectedRevision: c.expectedRevision });
  }
}

export class ResolveComplaint {
  constructor(
    readonly complaintId: string,
    readonly data: Extract<CaseCommand, { kind: 'resolve' }>['data'],
    readonly idempotencyKey: string,
    readonly actor?: Actor,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(ResolveComplaint)
export class ResolveComplaintHandler implements ICommandHandler<ResolveComplaint, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: Cases) {}

  execute(c: ResolveComplaint): Promise<CommandAnswer> {
    const command = { kind: 'resolve', data: c.data } as CaseCommand;
    return runCaseCommand(this.cases, { caseKind: 'complaint', sourceId: c.complaintId, command, idempotencyKey: c.idempotencyKey, actor: c.actor, expectedRevision: c.expectedRevision });
  }
}

export class ReopenComplaint {
  constructor(
    readonly complaintId: string,
    readonly data: Extract<CaseCommand, { kind: 'reopen' }>['data'],
    readonly idempotencyKey: string,
    readonly actor?: Actor,
    readonly expectedRevision?: number,
  ) {}
}

@CommandHandler(ReopenComplaint)
export class ReopenComplaintHandler implements ICommandHandler<ReopenComplaint, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: Cases) {}

  execute(c: ReopenComplaint): Promise<CommandAnswer> {
    const command = { kind: 'reopen', data: c.data } as CaseCommand;
    return runCaseCommand(this.cases, { caseKind: 'complaint', sourceId: c.complaintId, command, idempotencyKey: c.idempotencyKey, actor: c.actor, expectedRevision: c.expectedRevision });
  }
}

export const COMPLAINT_HANDLERS = [FileComplaintHandler, RespondToComplaintHandler, EscalateComplaintHandler, AssignComplaintHandler, ResolveComplaintHandler, ReopenComplaintHandler];
