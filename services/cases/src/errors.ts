import { ConcurrencyError, IllegalStateError, NotFoundError, ValidationError, type FieldError } from '@rapport/platform';

export { ConcurrencyError, ValidationError, type FieldError };
export { InvalidInputError } from '@rapport/platform';

/** No complaint or callback with this id is known (not filed, not requested). */
export class CaseNotFoundError extends NotFoundError {
  constructor(
    readonly caseKind: string,
    readonly caseId: string,
  ) {
    super(`No ${caseKind} '${caseId}' is known.`);
    this.name = 'CaseNotFoundError';
  }
}

/** A staff command the case's current state does not allow; the problem body carries the state. */
export class IllegalTransitionError extends IllegalStateError {
  readonly extensions: { caseKind: string; caseId: string; state: string };

  constructor(caseKind: string, caseId: string, status: string, verb: string, why: string) {
    super(`The ${caseKind} '${caseId}' is ${status === 'none' ? 'unknown' : status}; it cannot ${verb}: ${why}.`);
    this.extensions = { caseKind, caseId, state: status };
    this.name = 'IllegalTransitionError';
  }
}

/** The SLA policy file cannot be used; every problem names its path in the file. */
export class PolicyError extends ValidationError {
  constructor(
    readonly source: string,
    errors: readonly FieldError[],
  ) {
    super(errors, `SLA policy ${source} is invalid: ${errors.map((e) => `${e.path || '(root)'}: ${e.message}`).join('; ')}`);
    this.name = 'PolicyError';
  }
}

