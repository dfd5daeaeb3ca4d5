import { GenerationRetiredError } from './errors';
import { classifyFailure, isTransient } from './failures';

const pgError = (code: string, message = 'failed') => Object.assign(new Error(message), { code, severity: 'ERROR' });

describe('classifyFailure', () => {
  it.each([
    ['08006', 'connection failure'],
    ['40001', 'serialisation failure'],
    ['40P01', 'deadlock'],
    ['53300', 'too many connections'],
    ['55P03', 'lock timeout'],
    ['57P01', 'admin shutdown'],
    ['57014', 'statement timeout'],
    ['58030', 'I/O error'],
    ['25P03', 'idle-in-transaction timeout'],
    ['ECONNRESET', 'socket reset'],
    ['EPIPE', 'broken pipe'],
    ['ETIMEDOUT', 'socket timeout'],
  ])('retries %s (%s)', (code) => {
    expect(isTransient(pgError(code))).toBe(true);
    expect(classifyFailure(pgError(code))).toBe('transient');
  });

  it.each(['Connection terminated unexpectedly', 'timeout exceeded when trying to connect', 'Client was closed and is not queryable'])(
    'retries "%s" without a code',
    (message) => expect(classifyFailure(new Error(message))).toBe('transient'),
  );

  it('retries a batch of a retired generation (the runner then stops)', () => {
    expect(classifyFailure(new GenerationRetiredError('tally', 1))).toBe('transient');
  });

  it.each([
    ['42P01', 'undefined table'],
    ['42703', 'undefined column'],
    ['42601', 'syntax error'],
    ['42883', 'undefined function'],
    ['3F000', 'invalid schema name'],
    ['0A000', 'feature not supported'],
    ['XX000', 'internal error'],
  ])('stops the projection on %s (%s)', (code) => {
    expect(classifyFailure(pgError(code))).toBe('fatal');
    expect(isTransient(pgError(code))).toBe(false);
  });

  it('stops the projection on a bug in its code', () => {
    expect(classifyFailure(new TypeError("Cannot read properties of undefined (reading 'total')"))).toBe('fatal');
    expect(classifyFailure(new ReferenceError('x is not defined'))).toBe('fatal');
  });

  it.each([
    ['22003', 'numeric value out of range'],
    ['22P02', 'invalid text representation'],
    ['23505', 'unique violation'],
    ['23502', 'not-null violation'],
    ['P0001', 'raised by a trigger'],
  ])('parks the event on %s (%s)', (code) => {
    expect(classifyFailure(pgError(code))).toBe('event');
  });

  it('parks the event on an error the projection threw about it', () => {
    expect(classifyFailure(new Error('unknown currency XYZ'))).toBe('event');
    expect(classifyFailure(new RangeError('Invalid time value'))).toBe('event');
    expect(classifyFailure('a string')).toBe('event');
  });
});
