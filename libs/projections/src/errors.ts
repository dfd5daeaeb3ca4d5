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

export class UnknownProjectionError extends NotFoundError {
  constructor(readonly projection: string) {
    super(`no projection named '${projection}' runs in this process`);
  }
}
