import { IllegalStateError, ValidationError } from '@rapport/platform';

export { ValidationError };

/** A model cannot be fitted to the data given (no customers, or none with repeat purchases). */
export class InsufficientDataError extends IllegalStateError {
  constructor(readonly model: string, reason: string) {
    super(`Cannot fit ${model}: ${reason}`);
  }
}

/** An instant that is not an ISO-8601 date-time; `path` names the field. */
export class InvalidInstantError extends ValidationError {
  constructor(path: string, value: string) {
    super([{ path, message: `'${value}' is not an ISO-8601 instant` }]);
  }
}
