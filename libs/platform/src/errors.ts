/**
 * Errors every service throws from its core. Each carries a stable `code`; the HTTP edge
 * maps codes (not classes) to problem responses, so errors from other libraries with the
 * same codes (the event store's ConcurrencyError, InvalidAppendError) map the same way.
 */

export interface FieldError {
  /** Dotted path to the offending field, '' for the whole document. */
  readonly path: string;
  readonly message: string;
  /** Position of the item in a batch, when the request carried several. */
  readonly index?: number;
}

export class ValidationError extends Error {
  readonly code = 'VALIDATION';

  constructor(
    readonly errors: readonly FieldError[],
    message = describe(errors),
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

/** One query, path or body field that cannot be read; `path` names it. */
export class InvalidInputError extends ValidationError {
  constructor(path: string, message: string) {
    super([{ path, message }]);
  }
}

function describe(errors: readonly FieldError[]): string {
  const [first] = errors;
  if (!first) return 'The request is invalid.';
  const where = `${first.index === undefined ? '' : `item ${first.index}: `}${first.path || '(root)'}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return `${where}: ${first.message}${more}`;
}

export class NotFoundError extends Error {
  readonly code = 'NOT_FOUND';

  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** Someone else changed the thing first; the caller may retry after re-reading. */
export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENCY';

  constructor(message: string) {
    super(message);
    this.name = 'ConcurrencyError';
  }
}

/** The request is well-formed but not allowed in the current state (e.g. resolving a closed case). */
export class IllegalStateError extends Error {
  readonly code = 'ILLEGAL_STATE';

  constructor(message: string) {
    super(message);
    this.name = 'IllegalStateError';
  }
}

export class UnauthorizedError extends Error {
  readonly code = 'UNAUTHORIZED';

  constructor(message = 'A valid API key is required: send it as "Authorization: Bearer <key>".') {
    super(message);
    this.name = 'UnauthorizedError';
  }
}

export class ForbiddenError extends Error {
  readonly code = 'FORBIDDEN';

  constructor(message = 'This API key may not do this.') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

export class PayloadTooLargeError extends Error {
  readonly code = 'PAYLOAD_TOO_LARGE';

  constructor(message = 'The request body is too large.') {
    super(message);
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends Error {
  readonly code = 'UNSUPPORTED_MEDIA_TYPE';

  constructor(message = 'Only application/json request bodies are accepted.') {
    super(message);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/**
 * An idempotency key (event id) came back with other content than it was first stored with:
 * an emitter bug, not a retry. `extensions` (the stored event's place, per-item results) go into
 * the problem body.
 */
export class IdempotencyKeyReusedError extends Error {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';

  constructor(
    message: string,
    readonly errors: readonly FieldError[],
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** Too many failed attempts (sign-in lockout); `retryAfterSeconds` says when to try again. */
export class TooManyAttemptsError extends Error {
  readonly code = 'TOO_MANY_ATTEMPTS';
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'TooManyAttemptsError';
    this.extensions = { retryAfterSeconds };
  }
}

/** The body is not JSON at all (as opposed to JSON that fails validation). */
export class MalformedJsonError extends Error {
  readonly code = 'MALFORMED_JSON';

  constructor(message = 'The request body is not valid JSON.') {
    super(message);
    this.name = 'MalformedJsonError';
  }
}

/** Codes the problem mapping understands; 'INVALID_APPEND' comes from @rapport/event-store. */
export const ERROR_CODES = [
  'VALIDATION',
  'MALFORMED_JSON',
  'NOT_FOUND',
  'CONCURRENCY',
  'ILLEGAL_STATE',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_APPEND',
  'IDEMPOTENCY_KEY_REUSED',
  'TOO_MANY_ATTEMPTS',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export type CodedError = Error & {
  readonly code: ErrorCode;
  readonly errors?: readonly FieldError[];
  readonly extensions?: Readonly<Record<string, unknown>>;
};

export function isCodedError(error: unknown): error is CodedError {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}
