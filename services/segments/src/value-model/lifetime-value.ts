import { expectedPurchases, type BgNbdParameters, type RepeatSummary } from './bg-nbd';
import { expectedAverageSpend, type GammaGammaParameters } from './gamma-gamma';

export interface LifetimeValueOptions {
  /** Horizon in months; 12 by default. */
  months?: number;
  /** Discount rate per month, 0.01 (1 %) by default. */
  monthlyDiscountRate?: number;
  /** Length of a month in the BG/NBD time unit (weeks): 365.25 / 12 / 7 by default. */
  weeksPerMonth?: number;
}

export interface LifetimeValue {
  /** Discounted value over the horizon, in the unit of zbar; null when either model cannot predict. */
  value: number | null;
  expectedPurchases: number | null;
  expectedAverageSpend: number | null;
}

/**
 * Σ_{m=1..M} (E[Y(m·w)] − E[Y((m−1)·w)]) / (1 + d)^m: the discounted purchases CLV multiplies by
 * the expected spend per purchase. It depends on (x, t_x, T) only, so customers sharing a summary
 * share it. Null when the BG/NBD forecast is not defined.
 */
export function discountedPurchases(bgNbd: BgNbdParameters, summary: RepeatSummary, options: LifetimeValueOptions = {}): { discounted: number; purchases: number } | null {
  const { months = 12, monthlyDiscountRate = 0.01, weeksPerMonth = 365.25 / 12 / 7 } = options;
  let discounted = 0;
  let before = 0;
  for (let month = 1; month <= months; month++) {
    const cumulative = expectedPurchases(bgNbd, summary, month * weeksPerMonth);
    if (cumulative === null) return null;
    discounted += Math.max(0, cumulative - before) / (1 + monthlyDiscountRate) ** month;
    before = cumulative;
  }
  return Number.isFinite(discounted) ? { discounted, purchases: before } : null;
}

/**
 * CLV = Σ_{m=1..M} E[purchases in month m] × E[spend per purchase] / (1 + d)^m, where month m's
 * purchases are E[Y(m·w)] − E[Y((m−1)·w)] from the BG/NBD forecast and the spend is Gamma-Gamma's.
 */
export function lifetimeValue(
  bgNbd: BgNbdParameters,
  gammaGamma: GammaGammaParameters,
  summary: RepeatSummary & { zbar: number },
  options: LifetimeValueOptions = {},
): LifetimeValue {
  const spend = expectedAverageSpend(gammaGamma, summary);
  const forecast = discountedPurchases(bgNbd, summary, options);
  if (forecast === null) return { value: null, expectedPurchases: null, expectedAverageSpend: spend };
  const value = spend === null ? null : forecast.discounted * spend;
  return { value: value === null || !Number.isFinite(value) ? null : value, expectedPurchases: forecast.purchases, expectedAverageSpend: spend };
}
