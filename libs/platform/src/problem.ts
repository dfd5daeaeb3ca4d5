import { isCodedError, type CodedError, type ErrorCode, type FieldError } from './errors';

/** RFC 9457 problem details, the body of every error response. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly instance?: string;
  /** Field-level reasons, for validation problems. */
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://rapport.dev/problems/';

export const problemType = (slug: string): string => `${TYPE_BASE}${slug}`;

export interface MappedProblem {
  readonly problem: Problem;
  /** The error was not one we expected: a bug to log, never a client mistake. */
  readonly unexpected: boolean;
}

/** Maps any thrown value to a problem. Unknown errors become an opaque 500. */
export function problemFromError(error: unknown, instance?: string): MappedProblem {
  if (isCodedError(error)) {
    // A coded error may carry RFC 9457 extension members (e.g. the balance behind a refusal).
    const extensions = (error as { extensions?: Record<string, unknown> }).extensions;
    const problem = problemForCode(error.code, error);
    return { problem: withInstance(extensions ? { ...extensions, ...problem } : problem, instance), unexpected: false };
  }
  const fromFramework = problemFromFastifyError(error);
  if (fromFramework) return { problem: withInstance(fromFramework, instance), unexpected: false };
  return {
    problem: {
      type: problemType('internal'),
      title: 'Internal server error',
      status: 500,
      detail: 'Something went wrong on our side; it has been logged.',
      instance,
    },
    unexpected: true,
  };
}

const withInstance = (problem: Problem, instance: string | undefined): Problem => (instance === undefined ? problem : { ...problem, instance });

function problemForCode(code: ErrorCode, error: CodedError): Problem {
  const detail = error.message;
  switch (code) {
    case 'VALIDATION':
      return { type: problemType('validation'), title: 'Invalid request', status: 400, detail, errors: error.errors ?? [] };
    case 'MALFORMED_JSON':
      return { type: problemType('malformed-json'), title: 'Malformed JSON', status: 400, detail };
    case 'INVALID_APPEND':
      return { type: problemType('invalid-append'), title: 'Invalid append', status: 400, detail };
    case 'NOT_FOUND':
      return { type: problemType('not-found'), title: 'Not found', status: 404, detail };
    case 'CONCURRENCY':
      return { type: problemType('concurrency-conflict'), title: 'Concurrent modification', status: 409, detail };
    case 'IDEMPOTENCY_KEY_REUSED':
      return { ...error.extensions, type: problemType('idempotency-key-reused'), title: 'Idempotency key reused', status: 409, detail, errors: error.errors ?? [] };
    case 'ILLEGAL_STATE':
      return { type: problemType('illegal-state'), title: 'Not allowed in the current state', status: 409, detail };
    case 'UNAUTHORIZED':
      return { type: problemType('unauthorized'), title: 'Unauthorized', status: 401, detail };
    case 'FORBIDDEN':
      return { type: problemType('forbidden'), title: 'Forbidden', status: 403, detail };
    case 'PAYLOAD_TOO_LARGE':
      return { type: problemType('payload-too-large'), title: 'Payload too large', status: 413, detail };
    case 'UNSUPPORTED_MEDIA_TYPE':
      return { type: problemType('unsupported-media-type'), title: 'Unsupported media type', status: 415, detail };
    case 'TOO_MANY_ATTEMPTS':
      return { type: problemType('too-many-attempts'), title: 'Too many attempts', status: 429, detail };
    default: {
      const unreachable: never = code;
      throw new Error(`unmapped error code ${String(unreachable)}`);
    }
  }
}

/** Errors Fastify raises before a route runs: body parsing, limits, bad URLs. */
function problemFromFastifyError(error: unknown): Problem | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { type: problemType('payload-too-large'), title: 'Payload too large', status: 413, detail: 'The request body exceeds the size limit.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { type: problemType('unsupported-media-type'), title: 'Unsupported media type', status: 415, detail: 'Only application/json request bodies are accepted.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { type: problemType('malformed-json'), title: 'Malformed JSON', status: 400, detail: 'The request body is empty; a JSON document was expected.' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { type: problemType('malformed-json'), title: 'Malformed JSON', status: 400, detail: 'The request body is not valid JSON.' };
    case 'FST_ERR_BAD_URL':
      return { type: problemType('bad-url'), title: 'Bad URL', status: 400, detail: `${error.message.slice(0, 300)}: percent-encoding must spell UTF-8.` };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { type: problemType('uri-too-long'), title: 'URI too long', status: 414, detail: 'A path parameter exceeds 512 characters.' };
  }
  if (error instanceof SyntaxError) {
    return { type: problemType('malformed-json'), title: 'Malformed JSON', status: 400, detail: 'The request body is not valid JSON.' };
  }
  if (typeof code === 'string' && code.startsWith('FST_') && typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { type: problemType('bad-request'), title: 'Bad request', status: statusCode, detail: error.message };
  }
  return undefined;
}

const STATUS_TYPES: Readonly<Record<number, { slug: string; title: string }>> = {
  400: { slug: 'bad-request', title: 'Bad request' },
  401: { slug: 'unauthorized', title: 'Unauthorized' },
  403: { slug: 'forbidden', title: 'Forbidden' },
  404: { slug: 'not-found', title: 'Not found' },
  405: { slug: 'method-not-allowed', title: 'Method not allowed' },
  409: { slug: 'conflict', title: 'Conflict' },
  413: { slug: 'payload-too-large', title: 'Payload too large' },
  415: { slug: 'unsupported-media-type', title: 'Unsupported media type' },
  429: { slug: 'too-many-requests', title: 'Too many requests' },
  503: { slug: 'not-ready', title: 'Service not ready' },
};

/** For errors that only carry an HTTP status (framework exceptions, Fastify's own errors). */
export function problemFromStatus(status: number, detail: string | undefined, instance?: string): MappedProblem {
  if (status >= 500 && status !== 503) return problemFromError(undefined, instance);
  const known = STATUS_TYPES[status] ?? { slug: `http-${status}`, title: `HTTP ${status}` };
  return { problem: { type: problemType(known.slug), title: known.title, status, detail, instance }, unexpected: false };
}
