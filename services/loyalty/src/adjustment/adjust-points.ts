import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { runCommand } from '../account/run-command';
import type { Answer } from '../account/state';
import { LOYALTY, type Loyalty } from '../loyalty';

export class AdjustPoints {
  constructor(
    readonly customerId: string,
    readonly points: number,
    readonly reason: string,
    readonly idempotencyKey: string,
    readonly actor: { id: string; name?: string },
  ) {}
}

/** Read stream → fold → decide → append with the expected revision (runCommand retries on a conflict). */
@CommandHandler(AdjustPoints)
export class AdjustPointsHandler implements ICommandHandler<AdjustPoints, Answer & { replayed: boolean }> {
  constructor(@Inject(LOYALTY) private readonly loyalty: Loyalty) {}

  execute(command: AdjustPoints): Promise<Answer & { replayed: boolean }> {
    const { customerId, points, reason, idempotencyKey, actor } = command;
    return runCommand(this.loyalty, customerId, { kind: 'adjust', points, reason, idempotencyKey }, actor);
  }
}
