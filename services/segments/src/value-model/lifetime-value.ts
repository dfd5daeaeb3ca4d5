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
 * CLV = Σ_{m=1..M} E[purchases in month m] × E[spend per purchase] / (1 + d)^m, where month m's
 * purchases are E[Y(m·w)] − E[Y((m−1)·w)] from the BG/NBD forecast and the spend is Gamma-Gamma's.
 */
export function lifetimeValue(
  bgNbd: BgNbdParameters,
  gammaGamma: GammaGammaParameters,
  summary: RepeatSummary & { zbar: number },
  options: LifetimeValueOptions = {},
): LifetimeValue {
  const { months = 12, monthlyDiscountRate = 0.01, weeksPerMonth = 365.25 / 12 / 7 } = options;
  const spend = expectedAverageSpend(gammaGamma, summary);
  let value = 0;
  let before = 0;
  for (let month = 1; month <= months; month++) {
    const cumulative = expectedPurchases(bgNbd, summary, month * weeksPerMonth);
    if (cumulative === null) return { value: null, expectedPurchases: null, expectedAverageSpend: spend };
    value += (Math.max(0, cumulative - before) * (spend ?? NaN)) / (1 + monthlyDiscountRate) ** month;
    before = cumulative;
  }
  return { value: spend === null || !Number.isFinite(value) ? null : value, expectedPurchases: before, expectedAverageSpend: spend };
}
