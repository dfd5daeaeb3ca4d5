import { ConfigError } from '@rapport/platform';
import { loadSegmentsConfig, settingsOf } from './config';
import { toBase } from './facts/projection';

describe('segments configuration', () => {
  it('reads base currency, rates and costs, the base currency at rate 1', () => {
    const settings = settingsOf(loadSegmentsConfig({ SEGMENTS_BASE_CURRENCY: 'USD', SEGMENTS_CURRENCY_RATES: 'GBP=1.25,EUR=1.1', SEGMENTS_COST_PER_COMPLAINT: '2000' }));
    expect(settings).toMatchObject({ baseCurrency: 'USD', currencyRates: { GBP: 1.25, EUR: 1.1, USD: 1 }, costs: { perComplaint: 2000, perCallback: 500 } });
    expect([toBase(settings, 1000, 'GBP'), toBase(settings, 999, 'USD'), toBase(settings, 1000, 'JPY')]).toEqual([1250, 999, null]);
  });

  it('names the bad variable', () => {
    expect(() => loadSegmentsConfig({ SEGMENTS_CURRENCY_RATES: 'EUR:0.85' })).toThrow(ConfigError);
    expect(() => loadSegmentsConfig({ SEGMENTS_RECOMPUTE_INTERVAL_MS: '-1' })).toThrow(/SEGMENTS_RECOMPUTE_INTERVAL_MS/);
  });
});
