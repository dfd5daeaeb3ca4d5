import { expectedPurchases, fitBgNbd, probabilityAlive } from './bg-nbd';
import { expectedAverageSpend, fitGammaGamma } from './gamma-gamma';
import { lifetimeValue } from './lifetime-value';
import { minimise } from './nelder-mead';
import { calibrationSummary } from './repeat-summary';
import { hyp2f1, lnGamma } from './special-functions';

describe('special functions', () => {
  it('lnGamma matches known values', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 10);
    expect(lnGamma(1e-3)).toBeCloseTo(6.907178885383853, 10);
    expect(lnGamma(171.5)).toBeCloseTo(709.1431630309282, 8);
    expect(lnGamma(1000.25)).toBeCloseTo(5906.947268271117, 7);
  });

  it('hyp2f1 matches closed forms and reports a series it cannot finish', () => {
    // 2F1(1, 1; 2; z) = −ln(1 − z) / z; 2F1(a, b; b; z) = (1 − z)^−a.
    expect(hyp2f1(1, 1, 2, 0.5).value).toBeCloseTo(-Math.log(0.5) / 0.5, 12);
    expect(hyp2f1(2.3, 1.7, 1.7, 0.9).value).toBeCloseTo(0.1 ** -2.3, 8);
    expect(hyp2f1(2.3, 1.7, 1.7, 0.999, 100)).toMatchObject({ converged: false });
    expect(hyp2f1(1, 1, 2, 1).converged).toBe(false);
  });

  it('minimise finds the minimum of a shifted quadratic', () => {
    const { point, converged } = minimise(([u, v]) => (u - 3) ** 2 + 10 * (v + 1) ** 2, [0, 0]);
    expect(converged).toBe(true);
    expect(point[0]).toBeCloseTo(3, 5);
    expect(point[1]).toBeCloseTo(-1, 5);
  });
});

describe('boundaries', () => {
  // Everyone bought right up to the end of calibration: nobody seems to drop out, so the maximum sends dropout to 0.
  const neverLeaving = Array.from({ length: 200 }, (_, i) => ({ x: 1 + (i % 7), tx: 20 + (i % 13), T: 20 + (i % 13) }));

  it('flags a dropout driven to zero and still predicts finite values', () => {
    const fit = fitBgNbd(neverLeaving);
    expect(fit.boundary.length).toBeGreaterThan(0);
    expect(fit.boundary).toEqual(expect.arrayContaining([expect.objectContaining({ parameter: expect.stringMatching(/^(a|b)$/) })]));
    const { a, b } = fit.parameters;
    expect(a / (a + b)).toBeLessThan(1e-4);
    const customer = neverLeaving[0];
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    expect(probabilityAlive(fit.parameters, customer)).toBeGreaterThan(0.999);
    const forecast = expectedPurchases(fit.parameters, customer, 13);
    expect(forecast === null || (Number.isFinite(forecast) && forecast > 0)).toBe(true);
  });

  it('expectedPurchases at a = 1 takes the limit instead of 0/0', () => {
    const parameters = { r: 0.5, alpha: 5, a: 1, b: 2 };
    const customer = { x: 3, tx: 20, T: 30 };
    const atOne = expectedPurchases(parameters, customer, 13)!;
    expect(Number.isFinite(atOne)).toBe(true);
    expect(atOne).toBeCloseTo(expectedPurchases({ ...parameters, a: 1.001 }, customer, 13)!, 3);
    expect(expectedPurchases(parameters, customer, 0)).toBe(0);
  });

  it('expected spend and CLV are null when q ≤ 1 (infinite mean spend)', () => {
    const gg = { p: 2, q: 0.8, gamma: 10 };
    expect(expectedAverageSpend(gg, { x: 0, zbar: 0 })).toBeNull();
    expect(lifetimeValue({ r: 0.24, alpha: 4.4, a: 0.79, b: 2.4 }, gg, { x: 1, tx: 5, T: 30, zbar: 10 }).value).toBeNull();
  });

  it('refuses to fit without data', () => {
    expect(() => fitBgNbd([])).toThrow('Cannot fit BG/NBD');
    expect(() => fitGammaGamma([{ x: 0, zbar: 0 }])).toThrow('Cannot fit Gamma-Gamma');
  });
});

describe('calibrationSummary', () => {
  it('counts distinct UTC days, sums a day, and ignores purchases after asOf', () => {
    const summary = calibrationSummary(
      [
        { occurredAt: '2024-01-01T10:00:00Z', value: 5 },
        { occurredAt: '2024-01-08T23:30:00+00:00', value: 4 },
        { occurredAt: '2024-01-08T08:00:00Z', value: 6 },
        { occurredAt: '2024-01-15T02:00:00Z', value: 20 },
        { occurredAt: '2024-02-01T00:00:01Z', value: 99 },
      ],
      '2024-02-01T00:00:00Z',
    )!;
    expect(summary.x).toBe(2);
    expect(summary.tx).toBeCloseTo(2, 10);
    // T runs from the start of the first purchase day: 31 days.
    expect(summary.T).toBeCloseTo(31 / 7, 10);
    expect(summary.zbar).toBe(15);
  });

  it('counts a purchase at exactly asOf and returns null with none before it', () => {
    expect(calibrationSummary([{ occurredAt: '2024-02-01T00:00:00Z' }], '2024-02-01T00:00:00Z')).toEqual({ x: 0, tx: 0, T: 0, zbar: 0 });
    expect(calibrationSummary([{ occurredAt: '2024-02-01T07:00:00Z' }], '2024-02-01T07:00:00Z')!.T).toBeCloseTo(7 / (7 * 24), 10);
    expect(calibrationSummary([{ occurredAt: '2024-02-02T00:00:00Z' }], '2024-02-01T00:00:00Z')).toBeNull();
  });

  it('rejects an instant that is not ISO-8601, naming it', () => {
    expect(() => calibrationSummary([], 'yesterday')).toThrow("asOf: 'yesterday' is not an ISO-8601 instant");
    expect(() => calibrationSummary([{ occurredAt: '2024-02-30' }], '2024-03-01T00:00:00Z')).toThrow('purchases.0.occurredAt');
    expect(() => calibrationSummary([{ occurredAt: '2024-02-30T00:00:00Z' }], '2024-03-01T00:00:00Z')).toThrow('purchases.0.occurredAt');
    expect(calibrationSummary([{ occurredAt: '2024-02-29T00:00:00Z' }], '2024-03-01T00:00:00Z')).toMatchObject({ x: 0 });
  });
});
