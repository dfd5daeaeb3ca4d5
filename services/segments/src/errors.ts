import { IllegalStateError, NotFoundError, ValidationError } from '@rapport/platform';

export { ValidationError };
export { InvalidInputError } from '@rapport/platform';

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

/** No full recompute has been stored at or before the instant asked about. */
export class NoSnapshotError extends NotFoundError {
  constructor(asOf: string) {
    super(`No segment snapshot at or before ${asOf}: run \`rapport segments recompute --as-of ${asOf}\` (or POST /v1/segments/recomputes) first.`);
  }
}

export class CustomerNotInSnapshotError extends NotFoundError {
  constructor(customerId: string, asOf: string) {
    super(`Customer '${customerId}' has no facts in the segment snapshot of ${asOf}.`);
  }
}
