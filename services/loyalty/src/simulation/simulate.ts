import { fromRecordedEvent, type StoredEvent } from '@rapport/contracts';
import type { EventStore } from '@rapport/event-store';
import { advanceInPlace, decideFactInPlace, LOYALTY_FACT_TYPES, type Fact } from '../account/decide';
import { availablePoints, initialState, pendingPoints, tierOf, type LoyaltyState } from '../account/state';
import type { RuleBook } from '../rules/rules';

export interface Outcome {
  readonly liability: { readonly available: number; readonly pending: number; readonly total: number };
  readonly tiers: Record<string, number>;
  readonly earned: number;
  readonly reversed: number;
  readonly expired: number;
}

export interface SimulationReport {
  readonly from: string | null;
  readonly to: string;
  readonly facts: number;
  readonly customers: number;
  readonly live: Outcome;
  readonly candidate: Outcome;
  readonly difference: { readonly liability: number; readonly tiers: Record<string, number> };
  /** Customers whose tier at `to` would differ, first 100 by id. */
  readonly tierChanges: readonly { customerId: string; live: string; candidate: string }[];
  readonly tierChangeCount: number;
}

const PAGE = 5000;
const FACT_TYPES = new Set<string>(LOYALTY_FACT_TYPES);

/** Customer facts in store order, a page at a time, within [from, to]. */
async function readFacts(store: EventStore, from: string | null, to: string): Promise<StoredEvent[]> {
  const facts: StoredEvent[] = [];
  const [start, end] = [from === null ? -Infinity : Date.parse(from), Date.parse(to)];
  for (let after = 0; ; ) {
    const page = await store.readAll({ afterPosition: after, maxCount: PAGE });
    if (page.length === 0) return facts;
    after = page[page.length - 1].position;
    for (const recorded of page) {
      if (!FACT_TYPES.has(recorded.type) || !recorded.streamId.startsWith('customer-')) continue;
      const event = fromRecordedEvent(recorded);
      const at = Date.parse(event.occurredAt);
      if (event.customerId !== undefined && at >= start && at <= end) facts.push(event);
    }
  }
}

function replay(facts: readonly StoredEvent[], rules: RuleBook, to: string): { outcome: Outcome; tiers: Map<string, string> } {
  const states = new Map<string, LoyaltyState>();
  let earned = 0;
  let reversed = 0;
  let expired = 0;
  const count = (events: readonly { type: string; data: unknown }[]) => {
    for (const event of events) {
      const points = (event.data as { points?: number }).points ?? 0;
      if (event.type === 'PointsEarned') earned += points;
      else if (event.type === 'PointsReversed') reversed += points;
      else if (event.type === 'PointsExpired') expired += points;
    }
  };
  for (const fact of facts) {
    const customerId = fact.customerId as string;
    let state = states.get(customerId);
    if (!state) states.set(customerId, (state = initialState()));
    count(decideFactInPlace(state, fact as unknown as Fact, rules, customerId).events);
  }
  const tiers = new Map<string, string>();
  const tierCounts: Record<string, number> = {};
  let available = 0;
  let pending = 0;
  const version = rules.at(to);
  for (const [customerId, state] of states) {
    count(advanceInPlace(state, to, rules, customerId));
    available += availablePoints(state);
    pending += pendingPoints(state);
    const tier = tierOf(state, version).name;
    tiers.set(customerId, tier);
    tierCounts[tier] = (tierCounts[tier] ?? 0) + 1;
  }
  return { outcome: { liability: { available, pending, total: available + pending }, tiers: tierCounts, earned, reversed, expired }, tiers };
}

/**
 * What-if replay: every customer fact up to `to` decided under the live rules and under a
 * candidate, in memory (nothing is written anywhere), and the difference. Redemptions and
 * adjustments are not replayed: both sides see the facts alone, so they compare like with like.
 */
export async function simulate(store: EventStore, live: RuleBook, candidate: RuleBook, range: { from: string | null; to: string }): Promise<SimulationReport> {
  const facts = await readFacts(store, range.from, range.to);
  const a = replay(facts, live, range.to);
  const b = replay(facts, candidate, range.to);
  const tierNames = new Set([...Object.keys(a.outcome.tiers), ...Object.keys(b.outcome.tiers)]);
  const changes = [...a.tiers]
    .filter(([customerId, tier]) => b.tiers.get(customerId) !== tier)
    .map(([customerId, tier]) => ({ customerId, live: tier, candidate: b.tiers.get(customerId) as string }))
    .sort((x, y) => x.customerId.localeCompare(y.customerId));
  return {
    from: range.from,
    to: range.to,
    facts: facts.length,
    customers: a.tiers.size,
    live: a.outcome,
    candidate: b.outcome,
    difference: {
      liability: b.outcome.liability.total - a.outcome.liability.total,
      tiers: Object.fromEntries([...tierNames].map((tier) => [tier, (b.outcome.tiers[tier] ?? 0) - (a.outcome.tiers[tier] ?? 0)])),
    },
    tierChanges: changes.slice(0, 100),
    tierChangeCount: changes.length,
  };
}
