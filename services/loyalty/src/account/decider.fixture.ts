import type { RuleBook } from '../rules/rules';
import { advanceInPlace, decideCommand, decideFactInPlace, type Decision, type Draft, type Fact, type LoyaltyCommand } from './decide';
import { evolve, initialState, viewOf, type AccountView, type LoyaltyState } from './state';

export type Input = Fact | LoyaltyCommand | { readonly kind: 'tick'; readonly at: string };

let sequence = 0;
const nextId = () => `00000000-0000-4000-a000-${String(++sequence).padStart(12, '0')}`;

export function order(orderId: string, at: string, total: number, options: { currency?: string; lines?: { sku: string; quantity: number; unitPrice: number }[]; id?: string } = {}): Fact {
  return {
    id: options.id ?? nextId(),
    type: 'OrderPlaced',
    occurredAt: at,
    data: { orderId, channel: 'web', currency: options.currency ?? 'GBP', total, lines: options.lines ?? [{ sku: 'SKU', quantity: 1, unitPrice: total }] },
  };
}

export const cancelled = (orderId: string, at: string): Fact => ({ id: nextId(), type: 'OrderCancelled', occurredAt: at, data: { orderId } });

export const returned = (orderId: string, at: string, refundAmount: number, currency = 'GBP'): Fact => ({
  id: nextId(),
  type: 'OrderReturned',
  occurredAt: at,
  data: { orderId, refundAmount, currency, lines: [{ sku: 'SKU', quantity: 1 }] },
});

export const feedback = (orderId: string, at: string): Fact => ({ id: nextId(), type: 'FeedbackGiven', occurredAt: at, data: { rating: 5, orderId } });

export const goodwill = (points: number, at: string): Fact => ({
  id: nextId(),
  type: 'ComplaintResolved',
  occurredAt: at,
  data: { complaintId: 'c-1', resolution: 'Sorry', compensationPoints: points },
});

export const redeem = (points: number, at: string, idempotencyKey = `key-${++sequence}`, reason = 'voucher'): LoyaltyCommand => ({ kind: 'redeem', points, reason, idempotencyKey, at });
export const adjust = (points: number, at: string, idempotencyKey = `adj-${++sequence}`, reason = 'correction'): LoyaltyCommand => ({ kind: 'adjust', points, reason, idempotencyKey, at });
export const tick = (at: string) => ({ kind: 'tick', at }) as const;

/** One customer's account under test: `given` builds history, `when` returns what one more input decides. */
export class AccountSpec {
  state: LoyaltyState = initialState();
  readonly history: Draft[] = [];

  constructor(
    readonly rules: RuleBook,
    readonly customerId = 'c-1',
  ) {}

  given(...inputs: Input[]): this {
    for (const input of inputs) this.run(input);
    return this;
  }

  when(input: Input): Draft[] {
    return this.run(input).events;
  }

  decision(input: Input): Decision {
    return this.run(input);
  }

  view(at: string): AccountView {
    return viewOf(this.state, at, this.rules.at(at));
  }

  private run(input: Input): Decision {
    let decision: Decision;
    if ('type' in input) {
      decision = decideFactInPlace(this.state, input, this.rules, this.customerId);
    } else if (input.kind === 'tick') {
      decision = { events: advanceInPlace(this.state, input.at, this.rules, this.customerId) };
    } else {
      decision = decideCommand(this.state, input, this.rules, this.customerId);
      for (const event of decision.events) evolve(this.state, event);
    }
    this.history.push(...decision.events);
    return decision;
  }
}

/** The parts of events a reader checks: type, instant and the points moved. */
export const brief = (events: readonly Draft[]) =>
  events.map((event) => {
    const data = event.data as { points?: number; reason?: string; debt?: number; shortfall?: number; to?: string };
    return [event.type, event.occurredAt.slice(0, 10), data.points ?? data.to, ...(data.debt ? [`debt ${data.debt}`] : []), ...(data.shortfall ? [`shortfall ${data.shortfall}`] : [])];
  });
