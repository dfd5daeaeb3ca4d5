import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { runCommand } from '../account/run-command';
import type { Answer } from '../account/state';
import { LOYALTY, type Loyalty } from '../loyalty';

export class RedeemPoints {
  constructor(
    readonly customerId: string,
    readonly points: number,
    readonly reason: string,
    readonly idempotencyKey: string,
    /** Who redeemed: recorded on the event. */
    readonly actor?: { id: string; name?: string },
  ) {}
}

/** Read stream → fold → decide → append with the expected revision (runCommand retries on a conflict). */
@CommandHandler(RedeemPoints)
export class RedeemPointsHandler implements ICommandHandler<RedeemPoints, Answer & { replayed: boolean }> {
  constructor(@Inject(LOYALTY) private readonly loyalty: Loyalty) {}

  execute(command: RedeemPoints): Promise<Answer & { replayed: boolean }> {
    const { customerId, points, reason, idempotencyKey, actor } = command;
    return runCommand(this.loyalty, customerId, { kind: 'redeem', points, reason, idempotencyKey }, actor);
  }
}
