import { InsufficientDataError } from '../errors';
import { maximiseLikelihood, type BoundaryFlag } from './maximum-likelihood';
import { hyp2f1, lnBeta, lnGamma, logAddExp } from './special-functions';

/** A customer's calibration history, time in weeks: x repeat purchase days, t_x first → last purchase, T first purchase → end of calibration. */
export interface RepeatSummary {
  x: number;
  tx: number;
  T: number;
}

/** BG/NBD: purchase rate λ ~ Gamma(r, α); after each purchase the customer drops out with p ~ Beta(a, b). */
export interface BgNbdParameters {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFit {
  parameters: BgNbdParameters;
  logLikelihood: number;
  customers: number;
  /** Distinct (x, t_x, T) the likelihood was summed over (customers sharing one are counted once, weighted). */
  distinctSummaries: number;
  converged: boolean;
  /** Parameters the maximum ran to 0 or infinity; predictions from such a fit are limits, not estimates. */
  boundary: BoundaryFlag[];
}

export const BG_NBD_PARAMETERS = ['r', 'alpha', 'a', 'b'] as const;

interface WeightedSummary extends RepeatSummary {
  count: number;
}

/** Log-likelihood of one customer's (x, t_x, T) — Fader, Hardie & Lee (2005), eq. 6, in log space. */
export function bgNbdLogLikelihood(parameters: BgNbdParameters, summary: RepeatSummary): number {
  const { r, alpha, a, b } = parameters;
  const { x, tx, T } = summary;
  const common = lnGamma(r + x) - lnGamma(r) + r * Math.log(alpha) + lnBeta(a, b + x) - lnBeta(a, b);
  const stillAlive = -(r + x) * Math.log(alpha + T);
  const goneAfterLast = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
  return common + logAddExp(stillAlive, goneAfterLast);
}

/** Sum of the per-customer log-likelihoods. */
export function bgNbdTotalLogLikelihood(parameters: BgNbdParameters, summaries: readonly RepeatSummary[]): number {
  return totalOverGroups(parameters, aggregate(summaries));
}

/** Maximum-likelihood BG/NBD fit; customers with identical summaries are evaluated once. */
export function fitBgNbd(summaries: readonly RepeatSummary[]): BgNbdFit {
  if (summaries.length === 0) throw new InsufficientDataError('BG/NBD', 'no customers with a purchase');
  const groups = aggregate(summaries);
  const fit = maximiseLikelihood(BG_NBD_PARAMETERS, ([r, alpha, a, b]) => totalOverGroups({ r, alpha, a, b }, groups));
  const [r, alpha, a, b] = fit.values;
  return {
    parameters: { r, alpha, a, b },
    logLikelihood: fit.logLikelihood,
    customers: summaries.length,
    distinctSummaries: groups.length,
    converged: fit.converged,
    boundary: fit.boundary,
  };
}

/** P(alive | x, t_x, T), eq. 11 of the 2005 note; null if the parameters make it undefined. */
export function probabilityAlive(parameters: BgNbdParameters, summary: RepeatSummary): number | null {
  const { r, alpha, a, b } = parameters;
  const { x, tx, T } = summary;
  if (x === 0) return 1;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  const value = 1 / (1 + Math.exp(logOdds));
  return Number.isFinite(value) ? value : null;
}

/**
 * Expected purchases in the next t weeks given (x, t_x, T) — the paper's eq. 10. Null when the
 * hypergeometric series does not converge or the result is not finite.
 */
export function expectedPurchases(parameters: BgNbdParameters, summary: RepeatSummary, t: number): number | null {
  if (t <= 0) return 0;
  // At a = 1 the formula is 0/0; its limit is the mean of the values just either side.
  if (Math.abs(parameters.a - 1) < 1e-6) {
    const below = conditionalExpectation({ ...parameters, a: 1 - 1e-6 }, summary, t);
    const above = conditionalExpectation({ ...parameters, a: 1 + 1e-6 }, summary, t);
    return below === null || above === null ? null : (below + above) / 2;
  }
  return conditionalExpectation(parameters, summary, t);
}

function conditionalExpectation(parameters: BgNbdParameters, summary: RepeatSummary, t: number): number | null {
  const { r, alpha, a, b } = parameters;
  const { x, tx, T } = summary;
  const z = t / (alpha + T + t);
  const series = hyp2f1(r + x, b + x, a + b + x - 1, z);
  if (!series.converged) return null;
  const numerator = ((a + b + x - 1) / (a - 1)) * (1 - Math.exp((r + x) * Math.log1p(-z)) * series.value);
  const denominator = x > 0 ? 1 + (a / (b + x - 1)) * Math.exp((r + x) * (Math.log(alpha + T) - Math.log(alpha + tx))) : 1;
  const value = numerator / denominator;
  return Number.isFinite(value) ? Math.max(0, value) : null;
}

function aggregate(summaries: readonly RepeatSummary[]): WeightedSummary[] {
  const groups = new Map<string, WeightedSummary>();
  for (const { x, tx, T } of summaries) {
    const key = `${x}|${tx}|${T}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { x, tx, T, count: 1 });
  }
  return [...groups.values()];
}

/** The likelihood loop: the gamma-function terms depend on x only, so they are computed once per distinct x. */
function totalOverGroups(parameters: BgNbdParameters, groups: readonly WeightedSummary[]): number {
  const { r, alpha, a, b } = parameters;
  const logAlpha = Math.log(alpha);
  const base = r * logAlpha - lnGamma(r) - lnBeta(a, b);
  const byX = new Map<number, number>();
  let total = 0;
  for (const { x, tx, T, count } of groups) {
    let common = byX.get(x);
    if (common === undefined) {
      common = base + lnGamma(r + x) + lnBeta(a, b + x);
      byX.set(x, common);
    }
    const stillAlive = -(r + x) * Math.log(alpha + T);
    const goneAfterLast = x > 0 ? Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
    total += count * (common + logAddExp(stillAlive, goneAfterLast));
  }
  return total;
}
