/** One problem with an event; `path` is dotted (`data.lines.0.quantity`), '' for the event itself. */
export interface FieldError {
  path: string;
  message: string;
}

/** A stored or emitted event does not match any version of its type's contract. */
export class InvalidEventError extends Error {
  readonly code = 'INVALID_EVENT';

  constructor(
    message: string,
    readonly errors: readonly FieldError[],
  ) {
    super(`${message}: ${errors.map((error) => `${error.path || '(event)'} ${error.message}`).join('; ')}`);
    this.name = 'InvalidEventError';
  }
}

/** The event's type is not in the catalogue (e.g. a service's own decision event). */
export class UnknownEventTypeError extends Error {
  readonly code = 'UNKNOWN_EVENT_TYPE';

  constructor(readonly type: string) {
    super(`unknown event type '${type.slice(0, 100)}'`);
    this.name = 'UnknownEventTypeError';
  }
}
