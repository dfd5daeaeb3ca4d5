import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bgNbdLogLikelihood, bgNbdTotalLogLikelihood, expectedPurchases, fitBgNbd, probabilityAlive } from './bg-nbd';
import { expectedAverageSpend, fitGammaGamma } from './gamma-gamma';
import { lifetimeValue } from './lifetime-value';
import { calibrationSummary, type Purchase } from './repeat-summary';

// The BG/NBD paper's CDNOW sample (see ../shared/data/README.md), outside the repository.
const CDNOW = join(__dirname, '..', '..', '..', '..', '..', 'shared', 'data', 'cdnow');

interface SummaryRow {
  id: string;
  x: number;
  tx: number;
  T: number;
  zbar: number;
}

function readSummary(): SummaryRow[] {
  const [, ...lines] = readFileSync(join(CDNOW, 'cdnow-calibration-summary.csv'), 'utf8').trim().split('\n');
  return lines.map((line) => {
    const [id, x, tx, T, zbar] = line.split(',');
    return { id, x: Number(x), tx: Number(tx), T: Number(T), zbar: Number(zbar) };
  });
}

/** Purchases per sample id, each at 00:00 UTC of its date, with its dollar value. */
function readTransactions(): Map<string, Purchase[]> {
  const byCustomer = new Map<string, Purchase[]>();
  for (const line of readFileSync(join(CDNOW, 'cdnow-sample-transactions.txt'), 'utf8').trim().split('\n')) {
    const [, sampleId, date, , dollars] = line.trim().split(/\s+/);
    const occurredAt = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T00:00:00Z`;
    const purchases = byCustomer.get(String(Number(sampleId))) ?? [];
    purchases.push({ occurredAt, value: Number(dollars) });
    byCustomer.set(String(Number(sampleId)), purchases);
  }
  return byCustomer;
}

const within = (actual: number, expected: number, relative: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(Math.abs(expected) * relative);

describe('BG/NBD and Gamma-Gamma on the CDNOW sample', () => {
  const rows = readSummary();

  it('fits the published BG/NBD parameters and log-likelihood', () => {
    const fit = fitBgNbd(rows);
    within(fit.parameters.r, 0.243, 0.01);
    within(fit.parameters.alpha, 4.414, 0.01);
    within(fit.parameters.a, 0.793, 0.01);
    within(fit.parameters.b, 2.426, 0.01);
    within(fit.logLikelihood, -9582.4, 0.01);
    expect(fit.logLikelihood).toBeCloseTo(-9582.4, 0);
    expect(fit.customers).toBe(2357);
    expect(fit.distinctSummaries).toBeLessThan(2357);
    expect(fit.boundary).toEqual([]);
    expect(fit.converged).toBe(true);
  });

  it('gives the published log-likelihood at the published parameters', () => {
    const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    expect(bgNbdTotalLogLikelihood(published, rows)).toBeCloseTo(-9582.4, 0);
    // The grouped loop sums to the same as one term per customer.
    const perCustomer = rows.reduce((sum, row) => sum + bgNbdLogLikelihood(published, row), 0);
    expect(bgNbdTotalLogLikelihood(published, rows)).toBeCloseTo(perCustomer, 6);
  });

  it('fits the published Gamma-Gamma parameters on the 946 customers with repeat purchases', () => {
    const fit = fitGammaGamma(rows);
    expect(fit.customers).toBe(946);
    within(fit.parameters.p, 6.25, 0.01);
    within(fit.parameters.q, 3.74, 0.01);
    within(fit.parameters.gamma, 15.44, 0.01);
    expect(fit.boundary).toEqual([]);
  });

  it('fits Gamma-Gamma the same on spend in minor units of a dear currency (γ scales, p and q do not)', () => {
    const fit = fitGammaGamma(rows.map((row) => ({ x: row.x, zbar: row.zbar * 1e6 })));
    within(fit.parameters.p, 6.25, 0.01);
    within(fit.parameters.q, 3.74, 0.01);
    within(fit.parameters.gamma, 15.44e6, 0.01);
    expect(fit.boundary).toEqual([]);
  });

  it('predicts for customer 1 (x 2, t_x 30.43, T 38.86) from the fitted models', () => {
    const bg = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const gg = { p: 6.25, q: 3.74, gamma: 15.44 };
    const customer = { x: 2, tx: 30.43, T: 38.86, zbar: 22.35 };
    // The paper's worked example: 1.226 purchases expected in the next 39 weeks.
    expect(expectedPurchases(bg, customer, 39)).toBeCloseTo(1.226, 3);
    // 1 / (1 + 0.793/3.426 × (43.274/34.844)^2.243) by hand.
    expect(probabilityAlive(bg, customer)).toBeCloseTo(0.7266, 4);
    expect(probabilityAlive(bg, { x: 0, tx: 0, T: 38.86 })).toBe(1);
    expect(expectedAverageSpend(gg, customer)).toBeCloseTo(((15.44 + 2 * 22.35) * 6.25) / (6.25 * 2 + 3.74 - 1), 10);
    const clv = lifetimeValue(bg, gg, customer);
    const yearPurchases = expectedPurchases(bg, customer, 365.25 / 7)!;
    expect(clv.expectedPurchases).toBeCloseTo(yearPurchases, 10);
    // Discounting only lowers the value, by less than a year at 1 %/month would.
    expect(clv.value!).toBeLessThan(yearPurchases * clv.expectedAverageSpend!);
    expect(clv.value!).toBeGreaterThan((yearPurchases * clv.expectedAverageSpend!) / 1.01 ** 12);
  });

  it('builds every calibration row (x, t_x, T, zbar) from the transactions as of 1997-09-30T00:00:00Z', () => {
    const transactions = readTransactions();
    expect(transactions.size).toBe(rows.length);
    const mismatches = rows.filter((row) => {
      const summary = calibrationSummary(transactions.get(row.id)!, '1997-09-30T00:00:00Z')!;
      return (
        summary.x !== row.x ||
        Math.abs(summary.tx - row.tx) > 0.0051 ||
        Math.abs(summary.T - row.T) > 0.0051 ||
        Math.abs(summary.zbar - row.zbar) > 0.0051
      );
    });
    expect(mismatches).toEqual([]);
  });
});
