import { createHash } from 'node:crypto';
import { streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import type { EventStore, StreamAppend } from '@rapport/event-store';

/** The customer whose 10,000-entry timeline the first-page latency is measured on. */
export const BIG_CUSTOMER = 'bench-big';
export const BIG_CUSTOMER_EVENTS = 10_000;

const START = Date.parse('2023-01-01T00:00:00Z');

/** Deterministic UUID (v4 layout) from a name, so runs are repeatable. */
export function benchId(name: string): string {
  const hex = createHash('sha256').update(name).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The n-th event of a customer's history: mostly visits and orders, with the service side mixed in. */
export function historyEvent(customerId: string, n: number): Envelope<string, unknown> {
  const occurredAt = new Date(START + n * 3_600_000 + (customerId.length % 60) * 1000).toISOString();
  const base = { id: benchId(`${customerId}:${n}`), version: 1, customerId, occurredAt, source: 'bench' };
  const order = `o-${customerId}-${n - (n % 10)}`;
  switch (n % 10) {
    case 0:
      return {
        ...base,
        type: 'OrderPlaced',
        data: {
          orderId: order,
          channel: 'web',
          currency: 'GBP',
          total: 4590,
          lines: [
            { sku: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 6, unitPrice: 255 },
            { sku: '71053', name: 'WHITE METAL LANTERN', quantity: 6, unitPrice: 510 },
          ],
        },
      };
    case 1:
      return { ...base, type: 'OrderShipped', data: { orderId: order, carrier: 'Royal Mail' } };
    case 2:
      return { ...base, type: 'OrderDelivered', data: { orderId: order } };
    case 3:
    case 5:
    case 8:
      return { ...base, type: 'VisitRecorded', data: { sessionId: `s-${n}`, channel: n % 2 ? 'app' : 'web', pages: 3 + (n % 7), durationSeconds: 240, productsViewed: ['22752'] } };
    case 4:
      return { ...base, type: 'MessageSent', data: { channel: 'email', direction: 'outbound', subject: 'New arrivals', campaign: 'weekly' } };
    case 6:
      return n % 30 === 6
        ? { ...base, type: 'ComplaintFiled', data: { complaintId: `c-${n}`, category: 'delivery', severity: 'medium', channel: 'email', orderId: order, summary: 'Parcel was late' } }
        : { ...base, type: 'FeedbackGiven', data: { rating: 4, orderId: order } };
    case 7:
      return n % 30 === 7
        ? { ...base, type: 'ComplaintResolved', data: { complaintId: `c-${n - 1}`, resolution: 'Apologised' } }
        : { ...base, type: 'ConsentChanged', data: { purpose: 'marketing', channel: 'email', granted: n % 20 === 7 } };
    default:
      return { ...base, type: 'OrderReturned', data: { orderId: order, refundAmount: 510, currency: 'GBP', lines: [{ sku: '71053', quantity: 1 }] } };
  }
}

/**
 * Writes about `total` events through the store's batch append: BIG_CUSTOMER_EVENTS for
 * the big customer, the rest over as many whole customers of `perCustomer` events as fit.
 */
export async function seedHistory(store: EventStore, total: number, perCustomer: number, onProgress: (written: number) => void): Promise<number> {
  const receivedAt = new Date().toISOString();
  const stored = (event: Envelope<string, unknown>) => toStoredEvent(event, receivedAt);
  let written = 0;
  for (let n = 0; n < BIG_CUSTOMER_EVENTS; n += 1000) {
    const events = Array.from({ length: Math.min(1000, BIG_CUSTOMER_EVENTS - n) }, (_, i) => stored(historyEvent(BIG_CUSTOMER, n + i)));
    await store.append(streamIdFor({ customerId: BIG_CUSTOMER }), events);
    onProgress((written += events.length));
  }
  const customers = Math.floor((total - BIG_CUSTOMER_EVENTS) / perCustomer);
  const CHUNK = 200;
  for (let round = 0; round < perCustomer; round += 10) {
    for (let first = 0; first < customers; first += CHUNK) {
      const appends: StreamAppend[] = [];
      for (let c = first; c < Math.min(first + CHUNK, customers); c++) {
        const customerId = `bench-${c}`;
        const events = [];
        for (let n = round; n < Math.min(round + 10, perCustomer); n++) events.push(stored(historyEvent(customerId, n)));
        if (events.length > 0) appends.push({ streamId: streamIdFor({ customerId }), expectedRevision: 'any', events });
      }
      if (appends.length === 0) continue;
      await store.appendMany(appends);
      onProgress((written += appends.reduce((sum, append) => sum + append.events.length, 0)));
    }
  }
  return written;
}
