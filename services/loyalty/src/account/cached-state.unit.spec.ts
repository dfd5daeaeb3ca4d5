import { defaultRuleBook } from '../rules/rules';
import { decodeState, encodeState } from './cached-state';
import { AccountSpec, cancelled, order, redeem, returned, tick, type Input } from './decider.fixture';

const rules = defaultRuleBook({ firstOrderBonus: 0 });
const D = (day: string) => `${day}T10:00:00.000Z`;

/** The same account twice: one keeps its full fold, the other goes through the cache row's shape before every input. */
function both(...inputs: Input[]) {
  const full = new AccountSpec(rules);
  const cached = new AccountSpec(rules);
  const pruned: number[] = [];
  for (const input of inputs) {
    const decoded = decodeState(JSON.parse(encodeState(cached.state)));
    expect(decoded).toBeDefined();
    pruned.push(cached.state.lots.length - decoded!.lots.length);
    cached.state = decoded!;
    full.given(input);
    cached.given(input);
  }
  return { full, cached, pruned };
}

describe('the processor cache row of an account', () => {
  it('drops spent and expired lots and still decides what the full fold decides', () => {
    const { full, cached, pruned } = both(
      order('A', D('2011-01-01'), 10_000),
      order('B', D('2011-01-02'), 20_000),
      order('C', D('2011-01-03'), 30_000),
      tick(D('2011-01-20')),
      // A's lot (100, soonest expiry) is spent whole, and 50 of B's.
      redeem(150, D('2011-01-21')),
      // A return and a cancellation of orders whose lots are gone from the cache row.
      returned('A', D('2011-01-22'), 5_000),
      cancelled('A', D('2011-01-23')),
      returned('B', D('2011-01-24'), 20_000),
      // Everything expires, the tier (Silver on 600) is reviewed with no lot left in the row.
      tick(D('2013-02-01')),
      order('D', D('2013-02-02'), 1_000),
    );
    expect(cached.history).toEqual(full.history);
    expect(cached.history.filter((event) => event.type === 'PointsReversed').map((event) => event.data.points)).toEqual([50, 50, 200]);
    expect(cached.history.filter((event) => event.type === 'TierChanged').map((event) => event.data.to)).toEqual(['Silver', 'Bronze']);
    expect(Math.max(...pruned)).toBeGreaterThan(0);
    expect(cached.view(D('2013-02-03'))).toEqual(full.view(D('2013-02-03')));
  });

  it('reads no row written in another shape', () => {
    expect(decodeState({ lots: [], debt: 0, handled: {} })).toBeUndefined();
    expect(decodeState(JSON.stringify({ v: 1 }))).toBeUndefined();
  });
});
