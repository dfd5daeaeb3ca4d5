import {
  ConcurrencyError,
  ForbiddenError,
  IllegalStateError,
  MalformedJsonError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  isCodedError,
} from './errors';
import { problemFromError, problemFromStatus, problemType } from './problem';

describe('errors and their problems', () => {
  it.each([
    [new ValidationError([{ path: 'id', message: 'expected a uuid' }]), 'VALIDATION', 400, 'validation'],
    [new MalformedJsonError(), 'MALFORMED_JSON', 400, 'malformed-json'],
    [new NotFoundError('no customer c-1'), 'NOT_FOUND', 404, 'not-found'],
    [new ConcurrencyError('stream moved'), 'CONCURRENCY', 409, 'concurrency-conflict'],
    [new IllegalStateError('case closed'), 'ILLEGAL_STATE', 409, 'illegal-state'],
    [new UnauthorizedError(), 'UNAUTHORIZED', 401, 'unauthorized'],
    [new ForbiddenError(), 'FORBIDDEN', 403, 'forbidden'],
    [new PayloadTooLargeError(), 'PAYLOAD_TOO_LARGE', 413, 'payload-too-large'],
    [new UnsupportedMediaTypeError(), 'UNSUPPORTED_MEDIA_TYPE', 415, 'unsupported-media-type'],
  ] as const)('%s has code %s and maps to %i', (error, code, status, slug) => {
    expect(error.code).toBe(code);
    expect(isCodedError(error)).toBe(true);
    const { problem, unexpected } = problemFromError(error, '/v1/x');
    expect(problem).toMatchObject({ status, type: problemType(slug), detail: error.message, instance: '/v1/x' });
    expect(unexpected).toBe(false);
  });

  it('validation problems carry the field errors and a detail naming the first one', () => {
    const error = new ValidationError([
      { index: 2, path: 'data.total', message: 'expected an integer' },
      { index: 5, path: 'id', message: 'expected a uuid' },
    ]);
    expect(error.message).toBe('item 2: data.total: expected an integer (and 1 more)');
    expect(problemFromError(error).problem.errors).toEqual(error.errors);
  });

  it('adds extension members a coded error carries, without letting them replace the standard ones', () => {
    const refused = Object.assign(new IllegalStateError('Only 40 points are available'), { extensions: { available: 40, status: 200 } });
    expect(problemFromError(refused).problem).toMatchObject({ status: 409, type: problemType('illegal-state'), available: 40 });
  });

  it('maps errors from other libraries by their code string', () => {
    const fromStore = Object.assign(new Error('stream customer-1: expected revision 3, actual 4'), { code: 'CONCURRENCY' });
    expect(problemFromError(fromStore).problem.status).toBe(409);
    const invalidAppend = Object.assign(new Error('bad uuid'), { code: 'INVALID_APPEND' });
    expect(problemFromError(invalidAppend).problem).toMatchObject({ status: 400, type: problemType('invalid-append') });
  });

  it('maps Fastify body errors', () => {
    const fastifyError = (code: string, statusCode: number) => Object.assign(new Error(code), { code, statusCode });
    expect(problemFromError(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413)).problem.status).toBe(413);
    expect(problemFromError(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).problem.status).toBe(415);
    expect(problemFromError(fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400)).problem.type).toBe(problemType('malformed-json'));
    expect(problemFromError(fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', 400)).problem.type).toBe(problemType('malformed-json'));
    expect(problemFromError(new SyntaxError('Unexpected token')).problem.status).toBe(400);
  });

  it('turns anything unknown into an opaque 500 flagged as unexpected', () => {
    const database = Object.assign(new Error('relation "x" does not exist'), { code: '42P01' });
    const { problem, unexpected } = problemFromError(database);
    expect(problem.status).toBe(500);
    expect(problem.detail).not.toContain('relation');
    expect(unexpected).toBe(true);
    expect(problemFromError('a string').unexpected).toBe(true);
  });

  it('maps bare statuses, treating 5xx as bugs', () => {
    expect(problemFromStatus(404, 'Cannot GET /x').problem).toMatchObject({ status: 404, type: problemType('not-found') });
    expect(problemFromStatus(418, 'teapot').problem).toMatchObject({ status: 418, type: problemType('http-418') });
    expect(problemFromStatus(502, 'upstream').unexpected).toBe(true);
  });
});
