import { GenerationRetiredError, ProjectionFailedError } from './errors';

/**
 * What a failure while applying events says:
 * - `transient`: nothing about the events (connection lost, deadlock, serialisation, lock
 *   timeout, shutdown); the batch is retried from the checkpoint;
 * - `fatal`: the projection's code or schema is wrong (SQLSTATE class 42, a TypeError), so
 *   every event would fail alike; the projection stops instead of parking the whole log;
 * - `event`: one event's data cannot be applied (decode failed, SQLSTATE 22/23, an error the
 *   projection threw); that event is parked.
 */
export type FailureKind = 'transient' | 'fatal' | 'event';

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof GenerationRetiredError || isTransient(error)) return 'transient';
  if (error instanceof ProjectionFailedError) return 'fatal';
  const code = sqlState(error);
  if (code !== undefined) return FATAL_SQLSTATE.test(code) ? 'fatal' : 'event';
  return error instanceof TypeError || error instanceof ReferenceError ? 'fatal' : 'event';
}

/** Worth trying again as it is: lost connections, deadlocks, serialisation and lock failures, resources, shutdowns. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && TRANSIENT_CODE.test(code)) return true;
  return error instanceof Error && TRANSIENT_MESSAGE.test(error.message);
}

// 08 connection, 40 rollback (serialisation, deadlock), 53 resources, 55P03 lock timeout,
// 57 operator intervention (shutdown, statement timeout), 58 system I/O, 25P03 idle-in-transaction timeout; then socket errnos.
const TRANSIENT_CODE = /^(08...|40...|53...|55P03|57...|58...|25P03|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN)$/;
const TRANSIENT_MESSAGE = /connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|ECONNRESET|ECONNREFUSED/i;
// 42 syntax or undefined table/column/function, 0A feature not supported, 3D/3F no such database/schema, XX internal.
const FATAL_SQLSTATE = /^(42|0A|3D|3F|XX)/;

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  // SQLSTATE classes are digits, F0, HV, P0 or XX, so socket errnos (EPIPE) never pass as one.
  return typeof code === 'string' && /^[0-9FHPX][0-9A-Z]{4}$/.test(code) ? code : undefined;
}
