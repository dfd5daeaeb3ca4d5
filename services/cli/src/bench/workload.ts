import { randomUUID } from 'node:crypto';
import { streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import type { ImportEvent } from '../online-retail/mapping';

export type BenchEvent = ImportEvent<'OrderPlaced'> | ImportEvent<'VisitRecorded'>;

const CUSTOMERS = 50_000;
const PRODUCTS = 4_000;
const START = Date.UTC(2024, 0, 1);
const PAGES = ['/', '/sale', '/new-in', '/gifts', '/home-and-garden', '/kitchen', '/c/lighting', '/c/christmas'];
const REFERRERS = ['https://www.google.com/', 'https://www.bing.com/', 'https://www.facebook.com/', 'newsletter', ''];
const PRODUCT_NAMES = ['WHITE HANGING HEART T-LIGHT HOLDER', 'REGENCY CAKESTAND 3 TIER', 'JUMBO BAG RED RETROSPOT', 'PARTY BUNTING', 'LUNCH BAG RED RETROSPOT'];

/** Deterministic pseudo-random integer in [0, n) for event `i` and stream `salt` (xorshift-style hash). */
function pick(i: number, salt: number, n: number): number {
  let x = (i * 2654435761 + salt * 40503) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x45d9f3b) >>> 0;
  x ^= x >>> 16;
  return (x >>> 0) % n;
}

const sku = (n: number) => `SKU${String(n).padStart(5, '0')}`;

/**
 * Event number `i` of the benchmark: 60 % visits, 40 % orders of 1–6 lines, spread over
 * 50,000 customers, with realistic field sizes. Ids are random, so every run stores anew.
 */
export function benchEvent(i: number): BenchEvent {
  const customerId = `cust-${pick(i, 1, CUSTOMERS)}`;
  const occurredAt = new Date(START + i * 1000).toISOString();
  const envelope = { id: randomUUID(), customerId, occurredAt };
  if (pick(i, 2, 10) < 6) {
    const viewed = Array.from({ length: pick(i, 3, 6) }, (_, k) => sku(pick(i, 10 + k, PRODUCTS)));
    return {
      ...envelope,
      type: 'VisitRecorded',
      source: 'shop-web',
      data: {
        sessionId: `sess-${i}`,
        channel: pick(i, 4, 4) === 0 ? 'app' : 'web',
        pages: 1 + pick(i, 5, 20),
        durationSeconds: 10 + pick(i, 6, 1800),
        landingPage: `https://shop.example.com${PAGES[pick(i, 7, PAGES.length)]}`,
        ...(REFERRERS[pick(i, 8, REFERRERS.length)] ? { referrer: REFERRERS[pick(i, 8, REFERRERS.length)] } : {}),
        productsViewed: viewed,
      },
    };
  }
  const lines = Array.from({ length: 1 + pick(i, 9, 6) }, (_, k) => ({
    sku: sku(pick(i, 20 + k, PRODUCTS)),
    name: PRODUCT_NAMES[pick(i, 30 + k, PRODUCT_NAMES.length)],
    quantity: 1 + pick(i, 40 + k, 12),
    unitPrice: 50 + pick(i, 50 + k, 5000),
  }));
  return {
    ...envelope,
    type: 'OrderPlaced',
    source: 'shop-web',
    data: {
      orderId: `ord-${i}`,
      channel: 'web',
      currency: 'GBP',
      total: lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0),
      lines,
    },
  };
}

export function benchEvents(from: number, count: number): BenchEvent[] {
  return Array.from({ length: count }, (_, k) => benchEvent(from + k));
}

/** A row of the events table as ingest would write it; revisions are counted per stream by the caller. */
export interface RawRow {
  readonly eventId: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

export class RawRows {
  private readonly revisions = new Map<string, number>();

  rows(events: readonly BenchEvent[], receivedAt: string): RawRow[] {
    return events.map((event) => {
      const stored = toStoredEvent({ ...event, version: 1 } as Envelope<string, unknown>, receivedAt);
      const streamId = streamIdFor(event as { customerId: string });
      const revision = (this.revisions.get(streamId) ?? -1) + 1;
      this.revisions.set(streamId, revision);
      return { eventId: stored.id, streamId, revision, type: stored.type, data: JSON.stringify(stored.data), metadata: JSON.stringify(stored.metadata) };
    });
  }
}

/**
 * Event number `i` of the personal-data workload: a profile change carrying every personal
 * field the encryption seals (email, phone, names, birth date), over the same customers.
 */
export function personalEvent(i: number): ImportEvent<'CustomerProfileUpdated'> {
  const customer = pick(i, 1, CUSTOMERS);
  return {
    id: randomUUID(),
    customerId: `cust-${customer}`,
    occurredAt: new Date(START + i * 1000).toISOString(),
    type: 'CustomerProfileUpdated',
    source: 'shop-web',
    data: {
      email: `customer.${customer}@example.com`,
      phone: `+4477009${String(pick(i, 2, 100_000)).padStart(5, '0')}`,
      firstName: PRODUCT_NAMES[pick(i, 3, PRODUCT_NAMES.length)].split(' ')[0].toLowerCase(),
      lastName: `Surname${pick(i, 4, 1000)}`,
      birthDate: `19${50 + pick(i, 5, 50)}-0${1 + pick(i, 6, 9)}-1${pick(i, 7, 9)}`,
    },
  };
}
