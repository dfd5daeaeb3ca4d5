import { InsufficientDataError } from '../errors';
import { maximiseLikelihood, type BoundaryFlag } from './maximum-likelihood';
import { lnGamma } from './special-functions';

/** A customer's x repeat purchase days and zbar, the mean value of those repeat purchases. */
export interface SpendSummary {
  x: number;
  zbar: number;
}

/** Gamma-Gamma: a transaction's value ~ Gamma(p, ν) around the customer's mean, ν ~ Gamma(q, γ) across customers. */
export interface GammaGammaParameters {
  p: number;
  q: number;
  gamma: number;
}

export interface GammaGammaFit {
  parameters: GammaGammaParameters;
  logLikelihood: number;
  /** Customers used: those with x > 0 and zbar > 0. */
  customers: number;
  converged: boolean;
  boundary: BoundaryFlag[];
}

export const GAMMA_GAMMA_PARAMETERS = ['p', 'q', 'gamma'] as const;

/** Log-likelihood of one customer's mean repeat spend, f(zbar | p, q, γ; x) (Fader, Hardie & Lee 2005, "RFM and CLV", eq. 3). */
export function gammaGammaLogLikelihood(parameters: GammaGammaParameters, summary: SpendSummary): number {
  const { p, q, gamma } = parameters;
  const { x, zbar } = summary;
  return (
    lnGamma(p * x + q) - lnGamma(p * x) - lnGamma(q) + q * Math.log(gamma) + (p * x - 1) * Math.log(zbar) + p * x * Math.log(x) - (p * x + q) * Math.log(gamma + zbar * x)
  );
}

/** Maximum-likelihood fit on the customers with repeat purchases (x > 0) and a positive mean value. */
export function fitGammaGamma(summaries: readonly SpendSummary[]): GammaGammaFit {
  const used = summaries.filter((s) => s.x > 0 && s.zbar > 0);
  if (used.length === 0) throw new InsufficientDataError('Gamma-Gamma', 'no customer with a repeat purchase of positive value');
  // γ is in the unit of spend: fit on spend over its mean, so minor units of a dear currency
  // neither trip the boundary flags nor leave the parameter box; γ is scaled back after.
  const scale = used.reduce((sum, s) => sum + s.zbar, 0) / used.length;
  const groups = new Map<string, SpendSummary & { count: number }>();
  for (const { x, zbar } of used) {
    const key = `${x}|${zbar}`;
    const group = groups.get(key);
    if (group) group.count++;
    else groups.set(key, { x, zbar: zbar / scale, count: 1 });
  }
  const weighted = [...groups.values()];
  const fit = maximiseLikelihood(GAMMA_GAMMA_PARAMETERS, ([p, q, gamma]) =>
    weighted.reduce((total, s) => total + s.count * gammaGammaLogLikelihood({ p, q, gamma }, s), 0),
  );
  const [p, q, scaledGamma] = fit.values;
  const parameters = { p, q, gamma: scaledGamma * scale };
  const logLikelihood = used.reduce((total, s) => total + gammaGammaLogLikelihood(parameters, s), 0);
  return { parameters, logLikelihood, customers: used.length, converged: fit.converged, boundary: fit.boundary };
}

/**
 * E[mean transaction value | x, zbar] = (γ + x·zbar)·p / (p·x + q − 1), a weighted mix of the
 * population mean pγ/(q − 1) and the customer's own zbar; x = 0 gives the population mean.
 * Null when q ≤ 1, where the population mean is infinite.
 */
export function expectedAverageSpend(parameters: GammaGammaParameters, summary: SpendSummary): number | null {
  const { p, q, gamma } = parameters;
  const { x, zbar } = summary;
  if (q <= 1) return null;
  const value = ((gamma + x * zbar) * p) / (p * x + q - 1);
  return Number.isFinite(value) ? value : null;
}
