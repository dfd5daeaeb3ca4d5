import { IllegalStateError, NotFoundError } from '@rapport/platform';

/** No event names this customer. */
export class CustomerNotFoundError extends NotFoundError {
  constructor(readonly customerId: string) {
    super(`No customer '${customerId}' is known.`);
    this.name = 'CustomerNotFoundError';
  }
}

/** The customer was erased: there is nothing personal left to hand out or erase. */
export class CustomerErasedError extends IllegalStateError {
  readonly extensions: { customerId: string; erasedAt: string };

  constructor(customerId: string, erasedAt: string, what: string) {
    super(`Customer '${customerId}' was erased at ${erasedAt}; ${what}.`);
    this.extensions = { customerId, erasedAt };
    this.name = 'CustomerErasedError';
  }
}
