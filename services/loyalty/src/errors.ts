import { ConcurrencyError, IllegalStateError, NotFoundError, ValidationError, type FieldError } from '@rapport/platform';

export { ConcurrencyError, ValidationError, type FieldError };
export { InvalidInputError } from '@rapport/platform';

/** The rules file cannot be used; every problem names its path in the file. */
export class RulesError extends ValidationError {
  constructor(
    readonly source: string,
    errors: readonly FieldError[],
  ) {
    super(errors, `Loyalty rules ${source} are invalid: ${errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ')}`);
    this.name = 'RulesError';
  }
}

/** A redemption or a negative adjustment larger than the spendable balance; the answer carries the balance. */
export class InsufficientPointsError extends IllegalStateError {
  readonly extensions: { available: number; requested: number };

  constructor(available: number, requested: number) {
    super(`Only ${available} points are available; ${requested} were asked for.`);
    this.extensions = { available, requested };
    this.name = 'InsufficientPointsError';
  }
}

/** An idempotency key used again with a different request. */
export class IdempotencyKeyReusedError extends IllegalStateError {
  constructor(key: string) {
    super(`Idempotency key '${key}' was already used for a different request.`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

export class AccountNotFoundError extends NotFoundError {
  constructor(readonly customerId: string) {
    super(`Customer '${customerId}' has no loyalty account.`);
  }
}

