import { RECEIVED_AT, startIngestTestApp, type IngestTestApp } from '../emit/emit-test-app';
import { derivedEventId } from './segment-message';

const PROBLEMS = 'https://rapport.dev/problems/';

describe('Segment-compatible API over HTTP', () => {
  let ingest: IngestTestApp;
  let counter = 0;

  beforeAll(async () => {
    ingest = await startIngestTestApp('ingest_segment');
  });

  afterAll(async () => {
    await ingest?.close();
  });

  const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
  const messageId = () => `msg-${process.pid}-${++counter}`;

  function post(path: string, body: unknown, headers: Record<string, string> = { authorization: basic(ingest.keys.emitter) }) {
    return fetch(`${ingest.baseUrl}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
  }

  async function storedEvent(id: string) {
    return (await ingest.store.readAll()).find((event) => event.id === id);
  }

  it('maps an Order Completed track to OrderPlaced in minor units, with the id derived from messageId', async () => {
    const id = messageId();
    const response = await post('/v1/track', {
      type: 'track', messageId: id, userId: 'seg-cust-1', event: 'Order Completed', timestamp: '2024-04-01T10:00:00.000Z',
      properties: { order_id: 'seg-o-1', total: 33.9, currency: 'gbp', products: [{ sku: 'MUG-1', name: 'Mug', quantity: 2, price: 16.95 }] },
    });
    expect([response.status, await response.json()]).toEqual([200, { success: true }]);
    const stored = await storedEvent(derivedEventId(id, 0));
    expect(stored).toMatchObject({
      type: 'OrderPlaced',
      streamId: 'customer-seg-cust-1',
      data: { orderId: 'seg-o-1', channel: 'web', currency: 'GBP', total: 3390, lines: [{ sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1695 }] },
    });
    expect(stored!.metadata).toMatchObject({ occurredAt: '2024-04-01T10:00:00.000Z', source: 'emitter-key', receivedAt: RECEIVED_AT });
  });

  it('corrects the timestamp for clock skew: receivedAt − (sentAt − timestamp)', async () => {
    const id = messageId();
    // The emitter's clock is a day fast; the event happened 5 s before it was sent.
    await post('/v1/batch', { sentAt: '2024-05-02T12:00:00.000Z', batch: [{ type: 'track', messageId: id, anonymousId: 'anon-skew', event: 'Coupon Applied', timestamp: '2024-05-02T11:59:55.000Z' }] });
    const stored = await storedEvent(derivedEventId(id, 0));
    expect(stored).toMatchObject({ type: 'CustomEventTracked', streamId: 'visitor-anon-skew', data: { name: 'Coupon Applied' } });
    expect(stored!.metadata.occurredAt).toBe('2024-05-01T11:59:55.000Z');
  });

  it('stores a re-sent messageId once, even when its sentAt (and so its corrected time) changed', async () => {
    const id = messageId();
    const message = { type: 'track', messageId: id, userId: 'seg-cust-2', event: 'Wishlist Added', properties: { sku: 'A-1' }, timestamp: '2024-04-01T10:00:00Z' };
    expect((await post('/v1/batch', { batch: [message], sentAt: '2024-04-01T10:00:01Z' })).status).toBe(200);
    const head = await ingest.store.headPosition();
    expect((await post('/v1/batch', { batch: [message], sentAt: '2024-04-01T10:00:09Z' })).status).toBe(200);
    expect((await post('/v1/track', message)).status).toBe(200);
    expect(await ingest.store.headPosition()).toBe(head);
    expect((await ingest.store.readAll()).filter((event) => event.id === derivedEventId(id, 0))).toHaveLength(1);
  });

  it('maps identify, alias, page, screen, group and the other e-commerce events', async () => {
    const ids = Array.from({ length: 8 }, messageId);
    const response = await post('/v1/import', {
      batch: [
        { type: 'identify', messageId: ids[0], userId: 'seg-cust-3', anonymousId: 'anon-3', traits: { email: 'ada@example.com', firstName: 'Ada', address: { country: 'gb' } } },
        { type: 'identify', messageId: ids[1], userId: 'seg-cust-4', anonymousId: 'anon-4', traits: { createdAt: '2024-01-01T00:00:00Z', last_name: 'Lovelace' } },
        { type: 'alias', messageId: ids[2], userId: 'seg-cust-3', previousId: 'anon-3b' },
        { type: 'page', messageId: ids[3], anonymousId: 'anon-3', name: 'Home', properties: { url: 'https://shop.example/', referrer: 'https://ref.example/' }, timestamp: '2024-04-02T08:00:00Z' },
        { type: 'screen', messageId: ids[4], userId: 'seg-cust-3', name: 'Basket', context: { sessionId: 'app-s-1' } },
        { type: 'group', messageId: ids[5], userId: 'seg-cust-3', groupId: 'acme', traits: { plan: 'pro' } },
        { type: 'track', messageId: ids[6], userId: 'seg-cust-3', event: 'Order Refunded', properties: { order_id: 'o-9', total: 5, currency: 'JPY', products: [{ product_id: 'P-1', quantity: 1 }] } },
        { type: 'track', messageId: ids[7], userId: 'seg-cust-3', event: 'Order Cancelled', properties: { order_id: 'o-8', reason: 'changed mind' } },
      ],
    });
    expect(response.status).toBe(200);
    const shape = async (id: string, part = 0) => {
      const event = await storedEvent(derivedEventId(id, part));
      return event && { type: event.type, streamId: event.streamId, data: event.data };
    };
    expect(await shape(ids[0]!)).toEqual({ type: 'CustomerProfileUpdated', streamId: 'customer-seg-cust-3', data: { email: 'ada@example.com', firstName: 'Ada', country: 'GB' } });
    expect(await shape(ids[0]!, 1)).toEqual({ type: 'CustomerIdentified', streamId: 'customer-seg-cust-3', data: { anonymousId: 'anon-3', via: 'identify' } });
    expect(await shape(ids[1]!)).toEqual({ type: 'CustomerRegistered', streamId: 'customer-seg-cust-4', data: { lastName: 'Lovelace', previousAnonymousId: 'anon-4' } });
    expect(await shape(ids[2]!)).toEqual({ type: 'CustomerIdentified', streamId: 'customer-seg-cust-3', data: { anonymousId: 'anon-3b', via: 'alias' } });
    expect(await shape(ids[3]!)).toEqual({
      type: 'VisitRecorded', streamId: 'visitor-anon-3',
      data: { sessionId: 'anon-3:2024-04-02', channel: 'web', pages: 1, landingPage: 'https://shop.example/', referrer: 'https://ref.example/' },
    });
    expect(await shape(ids[4]!)).toEqual({ type: 'VisitRecorded', streamId: 'customer-seg-cust-3', data: { sessionId: 'app-s-1', channel: 'app', pages: 1, landingPage: 'Basket' } });
    expect(await shape(ids[5]!)).toEqual({ type: 'CustomEventTracked', streamId: 'customer-seg-cust-3', data: { name: 'Group', properties: { groupId: 'acme', traits: { plan: 'pro' } } } });
    expect(await shape(ids[6]!)).toEqual({ type: 'OrderReturned', streamId: 'customer-seg-cust-3', data: { orderId: 'o-9', refundAmount: 5, currency: 'JPY', lines: [{ sku: 'P-1', quantity: 1 }] } });
    expect(await shape(ids[7]!)).toEqual({ type: 'OrderCancelled', streamId: 'customer-seg-cust-3', data: { orderId: 'o-8', reason: 'changed mind' } });
  });

  it('takes the write key from the body when there is no Authorization header', async () => {
    const response = await post('/v1/track', { writeKey: ingest.keys.emitter, messageId: messageId(), userId: 'seg-cust-5', event: 'Viewed Help' }, {});
    expect([response.status, await response.json()]).toEqual([200, { success: true }]);
  });

  describe('bad input', () => {
    const valid = () => ({ type: 'track', messageId: messageId(), userId: 'seg-bad', event: 'Something' });
    const bigProperties = { blob: 'x'.repeat(33 * 1024) };
    // [name, path, body, headers?, status, problem slug, expected errors (subset)]
    const cases: [string, string, () => unknown, (() => Record<string, string>) | undefined, number, string, { path: string; message: string | RegExp }[]][] = [
      ['a message over 32 KB', '/v1/track', () => ({ ...valid(), properties: bigProperties }), undefined, 400, 'validation', [{ path: '', message: /limit is 32768 bytes/ }]],
      ['a batch over 500 KB', '/v1/batch', () => ({ batch: Array.from({ length: 20 }, () => ({ ...valid(), properties: { blob: 'y'.repeat(30 * 1024) } })) }), undefined, 400, 'validation', [{ path: '', message: /limit is 512000 bytes/ }]],
      ['neither userId nor anonymousId', '/v1/track', () => ({ ...valid(), userId: undefined }), undefined, 400, 'validation', [{ path: 'userId', message: 'userId or anonymousId is required' }]],
      ['an unknown type in a batch', '/v1/batch', () => ({ batch: [valid(), { ...valid(), type: 'purchase' }] }), undefined, 400, 'validation', [{ path: 'batch.1.type', message: /unknown type "purchase"/ }]],
      ['a placeholder userId', '/v1/track', () => ({ ...valid(), userId: '0' }), undefined, 400, 'validation', [{ path: 'userId', message: /placeholder/ }]],
      ['a placeholder anonymousId as the only id', '/v1/page', () => ({ ...valid(), type: 'page', userId: undefined, anonymousId: '00000000-0000-0000-0000-000000000000' }), undefined, 400, 'validation', [{ path: 'anonymousId', message: /placeholder/ }]],
      ['an alias from a placeholder', '/v1/alias', () => ({ messageId: messageId(), userId: 'seg-bad', previousId: 'null' }), undefined, 400, 'validation', [{ path: 'previousId', message: /placeholder/ }]],
      ['an alias without userId', '/v1/alias', () => ({ messageId: messageId(), anonymousId: 'anon-x', previousId: 'anon-y' }), undefined, 400, 'validation', [{ path: 'userId', message: 'required for alias' }]],
      ['a track without event', '/v1/track', () => ({ ...valid(), event: undefined }), undefined, 400, 'validation', [{ path: 'event', message: 'required' }]],
      ['a bad timestamp', '/v1/track', () => ({ ...valid(), timestamp: 'yesterday' }), undefined, 400, 'validation', [{ path: 'timestamp', message: 'must be an ISO-8601 date-time' }]],
      ['a userId with a space', '/v1/track', () => ({ ...valid(), userId: 'a b' }), undefined, 400, 'validation', [{ path: 'userId', message: /may only contain/ }]],
      ['an Order Completed without order_id', '/v1/track', () => ({ ...valid(), event: 'Order Completed', properties: { total: 10, products: [{ sku: 'A', price: 10 }] } }), undefined, 400, 'validation', [{ path: 'properties.orderId', message: /OrderPlaced data.orderId: required/ }]],
      ['an identify with a bad email', '/v1/identify', () => ({ messageId: messageId(), userId: 'seg-bad', traits: { email: 'not-an-email' } }), undefined, 400, 'validation', [{ path: 'traits.email', message: /must be an email address/ }]],
      ['an empty batch', '/v1/batch', () => ({ batch: [] }), undefined, 400, 'validation', [{ path: 'batch', message: 'must hold at least 1 message' }]],
      ['a batch without batch', '/v1/batch', () => ({ messages: [] }), undefined, 400, 'validation', [{ path: 'batch', message: 'required' }]],
      ['a bare array', '/v1/track', () => [valid()], undefined, 400, 'validation', [{ path: '', message: 'expected a message object' }]],
      ['malformed JSON', '/v1/batch', () => '{"batch": [', undefined, 400, 'malformed-json', []],
      ['no write key', '/v1/track', valid, () => ({}), 401, 'unauthorized', []],
      ['an unknown write key', '/v1/track', valid, () => ({ authorization: basic('nope') }), 401, 'unauthorized', []],
      ['a Digest header', '/v1/track', valid, () => ({ authorization: 'Digest abc' }), 401, 'unauthorized', []],
      ['an analyst key', '/v1/track', valid, () => ({ authorization: basic(ingest.keys.analyst) }), 403, 'forbidden', []],
    ];

    it.each(cases)('%s on %s', async (_name, path, body, headers, status, slug, errors) => {
      const head = await ingest.store.headPosition();
      const response = await post(path, body(), headers ? headers() : undefined);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem: any = await response.json();
      expect(problem).toMatchObject({ type: `${PROBLEMS}${slug}`, status });
      for (const error of errors) expect(problem.errors).toContainEqual(expect.objectContaining({ path: error.path, message: expect.stringMatching(error.message) }));
      expect(await ingest.store.headPosition()).toBe(head);
    });
  });
});
