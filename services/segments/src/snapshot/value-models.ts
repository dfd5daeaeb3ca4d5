import { InsufficientDataError } from '../errors';
import { DAY_MS, WEEK_MS } from '../instants';
import { fitBgNbd, probabilityAlive, expectedPurchases, type BgNbdFit, type RepeatSummary } from '../value-model/bg-nbd';
import { fitGammaGamma, type GammaGammaFit } from '../value-model/gamma-gamma';
import { discountedPurchases } from '../value-model/lifetime-value';

/** Customers sharing (x, t_x in days, first purchase day): the unit the fit and the predictions work in. */
export interface ModelGroup {
  readonly x: number;
  readonly txDays: number;
  readonly firstDay: number;
  readonly customers: number;
}

export interface SpendGroup {
  readonly x: number;
  /** Total of the repeat purchase days, base-currency minor units. */
  readonly repeatValue: number;
  readonly customers: number;
}

/** What a snapshot says about its models; `unavailable` says why a model could not be fitted. */
export interface ModelReport {
  readonly timeUnit: 'weeks';
  /** Set when the models were fitted on a deterministic sample of a large population (predictions still cover everyone). */
  readonly sample: { customers: number; rule: string } | null;
  readonly bgNbd: BgNbdFit | { unavailable: string };
  /** γ and spend in major units of the base currency (minor units / 100). */
  readonly gammaGamma: (GammaGammaFit & { spendUnit: string }) | { unavailable: string };
  readonly predictionHorizonWeeks: number;
  /** Why P(alive), expected purchases and CLV are null, when they are. */
  readonly predictions: 'made' | string;
  readonly clv: { months: number; monthlyDiscountRate: number };
}

/** A cell's predictions: P(alive), purchases in the next 90 days, and the discounted purchases of the CLV. */
export interface ModelCell {
  x: number;
  tx_days: number;
  first_day: number;
  p_alive: number | null;
  expected_90d: number | null;
  discounted: number | null;
}

export const HORIZON_WEEKS = 90 / 7;

export function summaryOf(group: Pick<ModelGroup, 'x' | 'txDays' | 'firstDay'>, asOfMs: number): RepeatSummary {
  return { x: group.x, tx: group.txDays / 7, T: (asOfMs - group.firstDay * DAY_MS) / WEEK_MS };
}

/** Repeats each group's summary once per customer (the same object), which is what the core's fitters count. */
function expand<T>(groups: readonly { customers: number }[], item: (index: number) => T): T[] {
  const items: T[] = [];
  groups.forEach((group, index) => {
    const shared = item(index);
    for (let k = 0; k < group.customers; k++) items.push(shared);
  });
  return items;
}

export interface FittedModels {
  readonly report: ModelReport;
  readonly cells: ModelCell[];
  /** Gamma-Gamma with γ in minor units, for the CLV in SQL; null when not fitted. */
  readonly spend: { p: number; q: number; gammaMinor: number } | null;
}

/**
 * Fits on `fitGroups` (all customers, or a deterministic sample of a large population) and
 * predicts for every group of `groups`.
 */
export function fitModels(
  groups: readonly ModelGroup[],
  fitGroups: readonly ModelGroup[],
  spendGroups: readonly SpendGroup[],
  asOfMs: number,
  baseCurrency: string,
  sample: { modulus: number; customers: number },
): FittedModels {
  let bgNbd: BgNbdFit | undefined;
  let bgNbdReport: ModelReport['bgNbd'];
  try {
    bgNbd = fitBgNbd(expand(fitGroups, (i) => summaryOf(fitGroups[i], asOfMs)));
    bgNbdReport = bgNbd;
  } catch (error) {
    if (!(error instanceof InsufficientDataError)) throw error;
    bgNbdReport = { unavailable: error.message };
  }
  let gammaGamma: GammaGammaFit | undefined;
  let gammaGammaReport: ModelReport['gammaGamma'];
  try {
    gammaGamma = fitGammaGamma(expand(spendGroups, (i) => ({ x: spendGroups[i].x, zbar: spendGroups[i].repeatValue / spendGroups[i].x / 100 })));
    gammaGammaReport = { ...gammaGamma, spendUnit: baseCurrency };
  } catch (error) {
    if (!(error instanceof InsufficientDataError)) throw error;
    gammaGammaReport = { unavailable: error.message };
  }
  // On a boundary the "parameters" are where the search stopped, so predictions would be limits
  // dressed up as estimates (and the ₂F₁ series crawls there): none are made.
  const cells: ModelCell[] = bgNbd && bgNbd.boundary.length === 0
    ? groups.map((group) => {
        const summary = summaryOf(group, asOfMs);
        const parameters = (bgNbd as BgNbdFit).parameters;
        return {
          x: group.x,
          tx_days: group.txDays,
          first_day: group.firstDay,
          p_alive: probabilityAlive(parameters, summary),
          expected_90d: expectedPurchases(parameters, summary, HORIZON_WEEKS),
          discounted: discountedPurchases(parameters, summary)?.discounted ?? null,
        };
      })
    : [];
  return {
    report: {
      timeUnit: 'weeks',
      sample: sample.modulus === 1 ? null : { customers: sample.customers, rule: `hashtext(customer_id) mod ${sample.modulus} = 0` },
      bgNbd: bgNbdReport, gammaGamma: gammaGammaReport, predictionHorizonWeeks: HORIZON_WEEKS, predictions: predictionsNote(bgNbd, gammaGamma), clv: { months: 12, monthlyDiscountRate: 0.01 } },
    cells,
    spend: gammaGamma && gammaGamma.boundary.length === 0 ? { p: gammaGamma.parameters.p, q: gammaGamma.parameters.q, gammaMinor: gammaGamma.parameters.gamma * 100 } : null,
  };
}

function predictionsNote(bgNbd: BgNbdFit | undefined, gammaGamma: GammaGammaFit | undefined): string {
  if (!bgNbd) return 'none: BG/NBD could not be fitted';
  if (bgNbd.boundary.length > 0) return `none: the BG/NBD maximum lies on the boundary (${bgNbd.boundary.map((flag) => `${flag.parameter} → ${flag.limit === 'zero' ? '0' : '∞'}`).join(', ')})`;
  if (!gammaGamma) return 'P(alive) and expected purchases only: Gamma-Gamma could not be fitted, so no CLV';
  if (gammaGamma.boundary.length > 0) return 'P(alive) and expected purchases only: the Gamma-Gamma maximum lies on the boundary, so no CLV';
  if (gammaGamma.parameters.q <= 1) return 'P(alive) and expected purchases only: Gamma-Gamma q ≤ 1 (infinite mean spend), so no CLV';
  return 'made';
}
