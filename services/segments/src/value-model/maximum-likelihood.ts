import { minimise } from './nelder-mead';

/** Every parameter is fitted as its logarithm inside this box, so a runaway parameter stops instead of overflowing. */
export const LOG_PARAMETER_LIMIT = Math.log(1e8);
/** A fitted parameter beyond these is reported as having run to 0 or to infinity. */
export const BOUNDARY_ZERO = 1e-6;
export const BOUNDARY_INFINITY = 1e6;

export interface BoundaryFlag {
  parameter: string;
  limit: 'zero' | 'infinity';
}

export interface LogParameterFit {
  values: number[];
  /** The maximised log-likelihood (not the negative). */
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  boundary: BoundaryFlag[];
}

/**
 * Maximises a log-likelihood over positive parameters by Nelder–Mead on their logarithms,
 * restarting from the best point until a restart no longer improves it (a simplex can stall early).
 */
export function maximiseLikelihood(names: readonly string[], logLikelihood: (values: number[]) => number, start: number[] = names.map(() => 1)): LogParameterFit {
  const negative = (logValues: number[]) => {
    if (logValues.some((v) => Math.abs(v) > LOG_PARAMETER_LIMIT)) return Infinity;
    return -logLikelihood(logValues.map(Math.exp));
  };
  let result = minimise(negative, start.map(Math.log));
  let iterations = result.iterations;
  for (let restart = 0; restart < 5; restart++) {
    const again = minimise(negative, result.point, { step: 0.1 });
    iterations += again.iterations;
    const improved = again.value < result.value - 1e-9 * Math.abs(result.value);
    result = again.value <= result.value ? again : result;
    if (!improved) break;
  }
  const values = result.point.map(Math.exp);
  const boundary = values.flatMap((value, i): BoundaryFlag[] =>
    value <= BOUNDARY_ZERO ? [{ parameter: names[i], limit: 'zero' }] : value >= BOUNDARY_INFINITY ? [{ parameter: names[i], limit: 'infinity' }] : [],
  );
  return { values, logLikelihood: -result.value, converged: result.converged, iterations, boundary };
}
