/** The command was called wrongly (bad option value, missing argument): exit code 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command ran but some of its input was rejected; the details were already printed. */
export class PartialFailureError extends Error {
  readonly code = 'PARTIAL_FAILURE';
  readonly exitCode = 1;

  constructor(message: string) {
    super(message);
    this.name = 'PartialFailureError';
  }
}

export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError || error instanceof PartialFailureError ? error.exitCode : 1;
}
