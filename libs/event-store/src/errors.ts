import type { ExpectedRevision } from './event-store';

/** The stream was not at the revision the writer expected. */
export class ConcurrencyError extends Error {
  readonly code = 'CONCURRENCY';

  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** The stream's actual revision, -1 when it does not exist. */
    readonly actual: number,
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${actual === -1 ? 'no stream' : actual}`);
    this.name = 'ConcurrencyError';
  }
}

/** The request to the store is malformed (empty stream id, bad uuid, …). */
export class InvalidAppendError extends Error {
  readonly code = 'INVALID_APPEND';

  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppendError';
  }
}
