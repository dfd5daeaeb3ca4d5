import { streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import { v5 as uuidv5 } from 'uuid';
import type { SegmentSettings } from './config';
import { startSegments, type Segments } from './segments';

export type Fact = Envelope<string, unknown> & { customerId: string };

const NAMESPACE = '0d7f3a9e-2c41-4b8e-9a6d-5e1f0c3b7a22';
let sequence = 0;
const fact = (type: string, customerId: string, occurredAt: string, data: unknown): Fact => ({
  id: uuidv5(`${type}|${customerId}|${occurredAt}|${++sequence}`, NAMESPACE),
  type,
  version: 1,
  customerId,
  occurredAt,
  source: 'shop',
  data,
});

export const registered = (customerId: string, at: string, phone?: string) => fact('CustomerRegistered', customerId, at, phone ? { phone } : {});
export const orderPlaced = (customerId: string, orderId: string, at: string, total: number, currency = 'GBP') =>
  fact('OrderPlaced', customerId, at, { orderId, channel: 'web', currency, total, lines: [{ sku: 'A', quantity: 1, unitPrice: total }] });
export const orderCancelled = (customerId: string, orderId: string, at: string) => fact('OrderCancelled', customerId, at, { orderId });
export const orderReturned = (customerId: string, orderId: string, at: string, refundAmount: number) =>
  fact('OrderReturned', customerId, at, { orderId, refundAmount, currency: 'GBP', lines: [{ sku: 'A', quantity: 1 }] });
export const complaintFiled = (customerId: string, complaintId: string, at: string) =>
  fact('ComplaintFiled', customerId, at, { complaintId, category: 'delivery', severity: 'low', channel: 'email', summary: 'late' });
export const profilingConsent = (customerId: string, at: string, granted: boolean) => fact('ConsentChanged', customerId, at, { purpose: 'profiling', channel: 'any', granted });

export interface SegmentsKit {
  readonly database: TestDatabase;
  readonly store: PostgresEventStore;
  readonly pool: Pool;
  segments: Segments;
  emit(facts: readonly Fact[]): Promise<void>;
  close(): Promise<void>;
}

/** The segments service on a fresh database, no scheduled recompute. */
export async function startSegmentsKit(prefix: string, options: { settings?: SegmentSettings; run?: boolean } = {}): Promise<SegmentsKit> {
  const database = await createTestDatabase(prefix);
  const store = await createPostgresEventStore({ connectionString: database.url, poolSize: 4, pollIntervalMs: 10 });
  const pool = new Pool({ connectionString: database.url, max: 6 });
  const kit: SegmentsKit = {
    database,
    store,
    pool,
    segments: await startSegments({ store, pool, settings: options.settings, batchSize: 500, now: () => new Date('2030-01-01T00:00:00Z') }),
    async emit(facts) {
      const byStream = new Map<string, Fact[]>();
      for (const f of facts) byStream.set(streamIdFor(f), [...(byStream.get(streamIdFor(f)) ?? []), f]);
      await store.appendMany([...byStream].map(([streamId, events]) => ({ streamId, expectedRevision: 'any', events: events.map((e) => toStoredEvent(e, e.occurredAt)) })));
    },
    async close() {
      await kit.segments.stop();
      await Promise.all([store.close(), pool.end()]);
      await database.drop();
    },
  };
  return kit;
}
