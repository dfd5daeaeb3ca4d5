import type { EmittedEvent } from './timeline-test-app';

/**
 * One customer's mixed history across channels and departments, for specs: a visit as an
 * anonymous visitor before registering, orders, shipment, a return, a complaint and its
 * resolution, callbacks, feedback, messages, and two late events emitted last.
 */
export const CUSTOMER = 'c-42';
export const VISITOR = 'anon-7';

let counter = 0;
const id = () => `10000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

function event(type: string, occurredAt: string, data: unknown, extra: Partial<EmittedEvent> = {}): EmittedEvent {
  return { id: id(), type, version: 1, customerId: CUSTOMER, occurredAt, source: 'shop', data, ...extra } as EmittedEvent;
}

export function mixedHistory(): { inOrder: EmittedEvent[]; late: EmittedEvent[] } {
  counter = 0;
  const agent = { actor: { id: 'agent-3', name: 'Sam Lee' } };
  const inOrder = [
    { ...event('VisitRecorded', '2024-04-01T09:00:00Z', { sessionId: 's-1', channel: 'web', pages: 4, durationSeconds: 300, productsViewed: ['SKU-1'] }), customerId: undefined, anonymousId: VISITOR },
    event('CustomerRegistered', '2024-04-01T09:10:00Z', {
      email: 'jo@example.com',
      phone: '+447700900111',
      firstName: 'Jo',
      lastName: 'Bloggs',
      country: 'GB',
      signupChannel: 'web',
      previousAnonymousId: VISITOR,
    }),
    event('ConsentChanged', '2024-04-01T09:11:00Z', { purpose: 'marketing', channel: 'email', granted: true }),
    event('OrderPlaced', '2024-04-01T09:20:00Z', {
      orderId: 'ord-1',
      channel: 'web',
      currency: 'GBP',
      total: 13912,
      lines: [
        { sku: 'A', quantity: 10, unitPrice: 1000 },
        { sku: 'B', quantity: 2, unitPrice: 1956 },
      ],
    }),
    event('OrderShipped', '2024-04-02T08:00:00Z', { orderId: 'ord-1', carrier: 'DHL' }, { source: 'order-system' }),
    event('OrderDelivered', '2024-04-03T12:00:00Z', { orderId: 'ord-1' }, { source: 'order-system' }),
    event(
      'ComplaintFiled',
      '2024-04-03T13:00:00Z',
      { complaintId: 'cmp-1', category: 'delivery', severity: 'high', channel: 'email', orderId: 'ord-1', summary: 'late delivery' },
      { source: 'support-desk' },
    ),
    event(
      'CallbackRequested',
      '2024-04-03T13:05:00Z',
      { callbackId: 'cb-1', reason: 'Discuss complaint', phone: '+447700900111', preferredWindow: { from: '14:00', to: '16:00' }, complaintId: 'cmp-1' },
      { source: 'call-centre' },
    ),
    event('CallbackCompleted', '2024-04-04T14:30:00Z', { callbackId: 'cb-1', outcome: 'resolved' }, { source: 'call-centre', ...agent }),
    event(
      'ComplaintResolved',
      '2024-04-04T15:00:00Z',
      { complaintId: 'cmp-1', resolution: 'Voucher sent', compensation: { amount: 500, currency: 'GBP' } },
      { source: 'support-desk', ...agent },
    ),
    event('OrderReturned', '2024-04-05T10:00:00Z', { orderId: 'ord-1', refundAmount: 1956, currency: 'GBP', lines: [{ sku: 'B', quantity: 1 }] }, { source: 'order-system' }),
    event('FeedbackGiven', '2024-04-06T10:00:00Z', { rating: 4, nps: 9, orderId: 'ord-1', comment: 'Good in the end' }, { source: 'survey' }),
    event('MessageSent', '2024-04-04T15:05:00Z', { channel: 'email', direction: 'outbound', subject: 'Your voucher', complaintId: 'cmp-1' }, { source: 'mailer' }),
    event('MessageSent', '2024-04-07T09:00:00Z', { channel: 'sms', direction: 'outbound', campaign: 'spring' }, { source: 'mailer' }),
    { ...event('VisitRecorded', '2024-04-08T18:00:00Z', { sessionId: 's-2', channel: 'app', pages: 2 }), customerId: undefined, anonymousId: VISITOR },
    event('OrderPlaced', '2024-04-09T11:00:00Z', { orderId: 'ord-2', channel: 'store', currency: 'GBP', total: 2500, lines: [{ sku: 'C', quantity: 1, unitPrice: 2500 }] }),
    event('CustomerProfileUpdated', '2024-04-09T12:00:00Z', { phone: '+447700900222' }),
    event(
      'CallbackRequested',
      '2024-04-10T09:00:00Z',
      { callbackId: 'cb-2', reason: 'New order question', phone: '+447700900222', preferredWindow: { from: '09:00', to: '11:00', date: '2024-04-12' } },
      { source: 'call-centre' },
    ),
  ] as EmittedEvent[];
  const late = [
    event('VisitRecorded', '2024-04-02T12:00:00Z', { sessionId: 's-3', channel: 'store', durationSeconds: 900 }, { source: 'store-pos' }),
    event('CustomerProfileUpdated', '2024-03-01T00:00:00Z', { email: 'old@example.com' }),
  ];
  return { inOrder, late };
}
