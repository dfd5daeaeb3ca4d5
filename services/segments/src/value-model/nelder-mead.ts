/** A compact Nelder–Mead simplex minimiser (standard coefficients), enough for 3–4 log-parameters. */

export interface MinimiseOptions {
  /** Edge of the starting simplex, in the units of the arguments. */
  step?: number;
  maxIterations?: number;
  /** Stop when the simplex's function values and its vertices agree to within these. */
  valueTolerance?: number;
  pointTolerance?: number;
}

export interface MinimiseResult {
  point: number[];
  value: number;
  iterations: number;
  converged: boolean;
}

export function minimise(objective: (point: number[]) => number, start: number[], options: MinimiseOptions = {}): MinimiseResult {
  const { step = 0.5, maxIterations = 10_000, valueTolerance = 1e-10, pointTolerance = 1e-8 } = options;
  const n = start.length;
  // Non-finite values (outside the parameter box) rank worst, so the simplex backs away from them.
  const f = (point: number[]) => {
    const value = objective(point);
    return Number.isFinite(value) ? value : Infinity;
  };
  let simplex = [start, ...start.map((_, i) => start.map((x, j) => (i === j ? x + step : x)))].map((point) => ({ point, value: f(point) }));
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    simplex.sort((p, q) => p.value - q.value);
    const best = simplex[0];
    const worst = simplex[n];
    const spread = Math.abs(worst.value - best.value);
    const size = Math.max(...simplex.slice(1).map((v) => Math.max(...v.point.map((x, i) => Math.abs(x - best.point[i])))));
    if (spread <= valueTolerance * (Math.abs(best.value) + valueTolerance) && size <= pointTolerance) {
      return { point: best.point, value: best.value, iterations, converged: true };
    }
    const centroid = best.point.map((_, i) => simplex.slice(0, n).reduce((sum, v) => sum + v.point[i], 0) / n);
    const along = (t: number) => centroid.map((c, i) => c + t * (worst.point[i] - c));
    const reflected = { point: along(-1), value: 0 };
    reflected.value = f(reflected.point);
    if (reflected.value < best.value) {
      const expanded = { point: along(-2), value: 0 };
      expanded.value = f(expanded.point);
      simplex[n] = expanded.value < reflected.value ? expanded : reflected;
    } else if (reflected.value < simplex[n - 1].value) {
      simplex[n] = reflected;
    } else {
      const outside = reflected.value < worst.value;
      const contracted = { point: along(outside ? -0.5 : 0.5), value: 0 };
      contracted.value = f(contracted.point);
      if (contracted.value < (outside ? reflected.value : worst.value)) {
        simplex[n] = contracted;
      } else {
        simplex = simplex.map((v, k) => {
          if (k === 0) return v;
          const point = v.point.map((x, i) => best.point[i] + 0.5 * (x - best.point[i]));
          return { point, value: f(point) };
        });
      }
    }
  }
  simplex.sort((p, q) => p.value - q.value);
  return { point: simplex[0].point, value: simplex[0].value, iterations, converged: false };
}
