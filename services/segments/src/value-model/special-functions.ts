/** Special functions the value models need; Node's Math has no log-gamma. */

// Lanczos approximation, g = 7, n = 9 (Numerical Recipes / Godfrey): ~15 significant digits for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (reflection below 0.5 keeps the series accurate near 0). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

/** ln(e^u + e^v) without overflow; either side may be −∞. */
export function logAddExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  const high = Math.max(u, v);
  return high + Math.log1p(Math.exp(-Math.abs(u - v)));
}

export interface SeriesResult {
  value: number;
  /** False when the series did not settle within the term budget (or overflowed): the value is then not meaningful. */
  converged: boolean;
  terms: number;
}

/**
 * Gauss hypergeometric ₂F₁(a, b; c; z) by its power series, for 0 ≤ z < 1 and c > 0 (the BG/NBD
 * forecast only needs that range). Stops when a term no longer changes the sum at double precision.
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 1_000_000): SeriesResult {
  if (!(z >= 0 && z < 1) || !(c > 0)) return { value: NaN, converged: false, terms: 0 };
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    term *= ((a + n) * (b + n)) / ((c + n) * (n + 1)) * z;
    sum += term;
    if (!Number.isFinite(sum)) return { value: sum, converged: false, terms: n + 1 };
    if (Math.abs(term) <= Number.EPSILON * Math.abs(sum)) return { value: sum, converged: true, terms: n + 1 };
  }
  return { value: sum, converged: false, terms: maxTerms };
}
