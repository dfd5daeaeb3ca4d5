import type { EventOf, EventType } from './catalogue';

/** An event about a known customer, as every example is; spreading in another customerId keeps it valid. */
export type CustomerEventOf<T extends EventType> = Omit<EventOf<T>, 'customerId' | 'anonymousId'> & {
  customerId: string;
  anonymousId?: undefined;
};
export type CustomerEvent = { [T in EventType]: CustomerEventOf<T> }[EventType];

/** The one customer every example event is about. */
export const EXAMPLE_CUSTOMER_ID = 'cust-1001';

type ExampleBody<T extends EventType> = Pick<EventOf<T>, 'type' | 'data'> & {
  source: string;
  actor?: { id: string; name?: string };
};

const SUPPORT_AGENT = { id: 'agent-7', name: 'Priya Shah' };

// One customer's story, in order, touching every event type once.
const STORY: ExampleBody<EventType>[] = [
  example('VisitRecorded', 'shop', {
    sessionId: 'sess-9f2c',
    channel: 'web',
    pages: 6,
    durationSeconds: 420,
    landingPage: '/collections/lanterns',
    referrer: 'https://www.google.com/',
    productsViewed: ['84029E', '22752'],
    campaign: 'spring-sale',
  }),
  example('CustomerRegistered', 'shop', {
    email: 'alex.morgan@example.com',
    phone: '+447700900123',
    firstName: 'Alex',
    lastName: 'Morgan',
    country: 'GB',
    locale: 'en-GB',
    signupChannel: 'web',
    previousAnonymousId: 'anon-5b1e77',
  }),
  example('ConsentChanged', 'shop', { purpose: 'marketing', channel: 'email', granted: true, policyVersion: '2024-01' }),
  example('OrderPlaced', 'shop', {
    orderId: 'ord-536365',
    channel: 'web',
    currency: 'GBP',
    total: 3390,
    lines: [
      { sku: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 6, unitPrice: 255 },
      { sku: '71053', name: 'WHITE METAL LANTERN', quantity: 6, unitPrice: 310 },
    ],
  }),
  example('OrderShipped', 'order-system', {
    orderId: 'ord-536365',
    carrier: 'Royal Mail',
    trackingNumber: 'RM123456785GB',
    shippedAt: '2024-03-03T08:30:00Z',
  }),
  example('OrderDelivered', 'order-system', { orderId: 'ord-536365' }),
  example('ComplaintFiled', 'support-desk', {
    complaintId: 'cmp-42',
    category: 'product',
    severity: 'medium',
    channel: 'email',
    orderId: 'ord-536365',
    summary: 'Two lanterns arrived with cracked glass.',
  }),
  example(
    'ComplaintResponded',
    'support-desk',
    { complaintId: 'cmp-42', message: 'Sorry about that. Could you send us a photo?', channel: 'email' },
    SUPPORT_AGENT,
  ),
  example('ComplaintEscalated', 'support-desk', { complaintId: 'cmp-42', level: 1, reason: 'Refund above agent limit' }, SUPPORT_AGENT),
  example('CallbackRequested', 'call-centre', {
    callbackId: 'cb-77',
    reason: 'Wants to discuss the refund',
    phone: '+447700900123',
    preferredWindow: { from: '17:00', to: '19:00', date: '2024-03-06', timeZone: 'Europe/London' },
    complaintId: 'cmp-42',
  }),
  example('CallbackScheduled', 'call-centre', { callbackId: 'cb-77', scheduledFor: '2024-03-06T18:00:00Z', assigneeId: 'agent-7' }, SUPPORT_AGENT),
  example('CallbackCompleted', 'call-centre', { callbackId: 'cb-77', outcome: 'resolved', durationSeconds: 540 }, SUPPORT_AGENT),
  example(
    'ComplaintResolved',
    'support-desk',
    { complaintId: 'cmp-42', resolution: 'Refunded the two broken lanterns.', compensation: { amount: 500, currency: 'GBP' } },
    SUPPORT_AGENT,
  ),
  example('OrderReturned', 'order-system', {
    orderId: 'ord-536365',
    refundAmount: 620,
    currency: 'GBP',
    lines: [{ sku: '71053', quantity: 2, unitPrice: 310 }],
    reason: 'damaged in transit',
  }),
  example('ComplaintReopened', 'support-desk', { complaintId: 'cmp-42', reason: 'Refund not received' }, SUPPORT_AGENT),
  example('FeedbackGiven', 'survey', { rating: 4, nps: 8, comment: 'Sorted out in the end.', complaintId: 'cmp-42' }),
  example('MessageSent', 'mailer', { channel: 'email', direction: 'outbound', subject: 'Our spring collection', campaign: 'spring-2024' }),
  example('CallbackRequested', 'call-centre', {
    callbackId: 'cb-78',
    reason: 'Question about a new order',
    phone: '+447700900123',
    preferredWindow: { from: '09:00', to: '12:00' },
  }),
  example('CallbackCancelled', 'call-centre', { callbackId: 'cb-78', reason: 'Customer found the answer online' }),
  example('OrderPlaced', 'shop', {
    orderId: 'ord-536520',
    channel: 'app',
    currency: 'GBP',
    total: 1275,
    lines: [{ sku: '22752', quantity: 1, unitPrice: 1275 }],
  }),
  example('OrderCancelled', 'order-system', { orderId: 'ord-536520', reason: 'Customer changed their mind' }),
  example('CustomerProfileUpdated', 'shop', { phone: '+447700900456', lastName: null }),
  example('ComplaintAssigned', 'support-desk', { complaintId: 'cmp-42', assigneeId: 'agent-7' }, SUPPORT_AGENT),
  example('CustomerIdentified', 'shop', { anonymousId: 'anon-7f3a', via: 'identify' }),
  example('CustomEventTracked', 'shop', { name: 'Newsletter Opened', properties: { campaign: 'spring-sale', opens: 2 } }),
];

function example<T extends EventType>(
  type: T,
  source: string,
  data: EventOf<T>['data'],
  actor?: { id: string; name?: string },
): ExampleBody<EventType> {
  return { type, data, source, ...(actor ? { actor } : {}) } as ExampleBody<EventType>;
}

/**
 * A valid event of every type, all about `EXAMPLE_CUSTOMER_ID`, in time order, with fixed
 * ids and timestamps. Each call returns fresh objects that callers may change.
 */
export function exampleEvents(): CustomerEvent[] {
  const start = Date.parse('2024-03-01T09:00:00Z');
  return STORY.map((body, index) => ({
    id: `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`,
    type: body.type,
    version: 1,
    customerId: EXAMPLE_CUSTOMER_ID,
    occurredAt: new Date(start + index * 12 * 3600_000).toISOString(),
    source: body.source,
    correlationId: 'journey-cust-1001',
    ...(body.actor ? { actor: { ...body.actor } } : {}),
    data: structuredClone(body.data),
  })) as CustomerEvent[];
}

/** The first example of one type, typed. */
export function exampleEvent<T extends EventType>(type: T): CustomerEventOf<T> {
  const found = exampleEvents().find((event) => event.type === type);
  if (!found) throw new Error(`no example for ${type}`);
  return found as CustomerEventOf<T>;
}
