import { IllegalStateError, NotFoundError } from '@rapport/platform';

export { IllegalStateError, NotFoundError };

/** The generation a runner writes to was switched away from: the runner stops. */
export class GenerationRetiredError extends Error {
  readonly code = 'GENERATION_RETIRED';

  constructor(
    readonly projection: string,
    readonly generation: number,
  ) {
    super(`${projection} generation ${generation} is retired`);
    this.name = 'GenerationRetiredError';
  }
}

/** A projection's code or schema is wrong (not one event's data): it stops until fixed and restarted. */
export class ProjectionFailedError extends Error {
  readonly code = 'PROJECTION_FAILED';

  constructor(
    readonly projection: string,
    override readonly cause: unknown,
    readonly eventId?: string,
  ) {
    super(`${projection} stopped: ${describeCause(cause)}${eventId ? ` (event ${eventId})` : ''}`);
    this.name = 'ProjectionFailedError';
  }
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
}

export class UnknownProjectionError extends NotFoundError {
  constructor(readonly projection: string) {
    super(`no projection named '${projection}' runs in this process`);
  }
}
