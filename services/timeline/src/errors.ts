import { NotFoundError, ValidationError } from '@rapport/platform';
import type { z } from 'zod';

export { ValidationError };

export class CustomerNotFoundError extends NotFoundError {
  constructor(readonly customerId: string) {
    super(`No customer '${customerId}' is known to the timeline.`);
  }
}

export class EntryNotFoundError extends NotFoundError {
  constructor(
    readonly customerId: string,
    readonly eventId: string,
  ) {
    super(`Customer '${customerId}' has no timeline entry for event ${eventId}.`);
  }
}

/** A query parameter that cannot be read; `path` names it (e.g. `cursor`). */
export class InvalidQueryError extends ValidationError {
  constructor(path: string, message: string) {
    super([{ path, message }]);
  }
}

/** Validates query parameters; the first problem becomes an InvalidQueryError naming the parameter. */
export function parseQuery<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new InvalidQueryError(issue.path.map(String).join('.'), issue.message);
}
