import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { actorOf, type Principal } from '@rapport/platform';
import type { CaseCommand } from '../case/decide';
import type { CaseKind } from '../case/state';
import { CASES, type CasesReader } from '../cases';
import { parseId, parseIdempotencyKey, parseIfMatch } from '../http-input';
import { runCaseCommand, type CommandAnswer, type CommandRequest } from './run-case-command';

/**
 * A staff action on one complaint (appended to complaint-<id>) or callback (callback-<id>):
 * file, respond, escalate, assign, resolve, reopen; request, schedule, complete, cancel.
 */
export class ActOnCase implements CommandRequest {
  readonly caseKind: CommandRequest['caseKind'];
  readonly sourceId: string;
  readonly command: CommandRequest['command'];
  readonly idempotencyKey: string;
  readonly actor?: CommandRequest['actor'];
  readonly expectedRevision?: number;

  constructor(request: CommandRequest) {
    ({ caseKind: this.caseKind, sourceId: this.sourceId, command: this.command, idempotencyKey: this.idempotencyKey, actor: this.actor, expectedRevision: this.expectedRevision } = request);
  }
}

/** Read (outside facts + the case's own stream) → fold → decide → append with the expected revision. */
@CommandHandler(ActOnCase)
export class ActOnCaseHandler implements ICommandHandler<ActOnCase, CommandAnswer> {
  constructor(@Inject(CASES) private readonly cases: CasesReader) {}

  execute(request: ActOnCase): Promise<CommandAnswer> {
    return runCaseCommand(this.cases, request);
  }
}

export type HeaderMap = Record<string, string | string[] | undefined>;

/** One staff action over HTTP: the case id from the path, `Idempotency-Key` and `If-Match` from the headers, the caller as actor. */
export function actOnCase(caseKind: CaseKind, id: string, command: CaseCommand, headers: HeaderMap, principal: Principal | undefined): ActOnCase {
  const sourceId = parseId('id', id);
  const idempotencyKey = parseIdempotencyKey(headers['idempotency-key']);
  return new ActOnCase({ caseKind, sourceId, command, idempotencyKey, actor: principal && actorOf(principal), expectedRevision: parseIfMatch(headers['if-match']) });
}
