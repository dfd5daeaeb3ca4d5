import { streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import type { Clock } from './account/account-store';
import { startLoyalty, type Loyalty } from './loyalty';
import { defaultRuleBook, type RuleBook } from './rules/rules';

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(public current: Date) {}

  now(): Date {
    return this.current;
  }

  set(instant: string): void {
    this.current = new Date(instant);
  }
}

type Fact = Omit<Envelope<string, unknown>, 'anonymousId'> & { customerId: string };

let sequence = 0;

/** An order as the shop would emit it, with an id unique in the run. */
export function orderPlaced(customerId: string, orderId: string, at: string, total: number): Fact {
  return {
    id: `10000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`,
    type: 'OrderPlaced',
    version: 1,
    customerId,
    occurredAt: at,
    source: 'shop',
    data: { orderId, channel: 'web', currency: 'GBP', total, lines: [{ sku: 'A', quantity: 1, unitPrice: total }] },
  };
}

export function orderReturned(customerId: string, orderId: string, at: string, refundAmount: number): Fact {
  return {
    id: `20000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`,
    type: 'OrderReturned',
    version: 1,
    customerId,
    occurredAt: at,
    source: 'shop',
    data: { orderId, refundAmount, currency: 'GBP', lines: [{ sku: 'A', quantity: 1 }] },
  };
}

/** The loyalty service on a fresh database, scheduler driven by hand. */
export interface LoyaltyKit {
  readonly database: TestDatabase;
  readonly store: PostgresEventStore;
  readonly pool: Pool;
  readonly clock: ManualClock;
  loyalty: Loyalty;
  emit(facts: readonly Fact[]): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startLoyaltyKit(prefix: string, options: { rules?: RuleBook; now?: string; batchSize?: number } = {}): Promise<LoyaltyKit> {
  const database = await createTestDatabase(prefix);
  const store = await createPostgresEventStore({ connectionString: database.url, poolSize: 4, pollIntervalMs: 10 });
  const pool = new Pool({ connectionString: database.url, max: 6 });
  const clock = new ManualClock(new Date(options.now ?? '2030-01-01T00:00:00Z'));
  const start = () => startLoyalty({ store, pool, rules: options.rules ?? defaultRuleBook(), clock, schedulerIntervalMs: 0, batchSize: options.batchSize ?? 100 });
  const kit: LoyaltyKit = {
    database,
    store,
    pool,
    clock,
    loyalty: await start(),
    async emit(facts) {
      for (const fact of facts) await store.append(streamIdFor(fact), [toStoredEvent(fact as Envelope<string, unknown>, fact.occurredAt)]);
    },
    async restart() {
      await kit.loyalty.stop();
      kit.loyalty = await start();
    },
    async close() {
      await kit.loyalty.stop();
      await Promise.all([store.close(), pool.end()]);
      await database.drop();
    },
  };
  return kit;
}
