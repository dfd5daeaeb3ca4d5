import { randomUUID } from 'node:crypto';
import { exampleEvent, exampleEvents, type RapportEvent } from '@rapport/contracts';
import { RECEIVED_AT, startIngestTestApp, type IngestTestApp } from './emit-test-app';

const PROBLEMS = 'https://rapport.dev/problems/';

describe('ingest emit API over HTTP', () => {
  let ingest: IngestTestApp;

  beforeAll(async () => {
    ingest = await startIngestTestApp('ingest_emit');
  });

  afterAll(async () => {
    await ingest?.close();
  });

  const fresh = <E extends RapportEvent>(event: E): E => ({ ...event, id: randomUUID() });

  /** An empty header value leaves that header out. */
  function post(path: string, body: string | Uint8Array | undefined, headers: Record<string, string> = {}) {
    const all = { authorization: `Bearer ${ingest.keys.emitter}`, 'content-type': 'application/json', ...headers };
    return fetch(`${ingest.baseUrl}${path}`, { method: 'POST', body, headers: Object.fromEntries(Object.entries(all).filter(([, value]) => value !== '')) });
  }

  // Bodies are asserted field by field; `any` keeps that readable.
  const json = async (response: Response): Promise<any> => response.json();

  async function problem(response: Response, status: number, slug: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json(;|$)/);
    const body = await json(response);
    expect(body).toMatchObject({ type: `${PROBLEMS}${slug}`, status });
    return body;
  }

  async function storedIds(): Promise<string[]> {
    return (await ingest.store.readAll()).map((event) => event.id);
  }

  describe('POST /v1/events', () => {
    it('stores a new event and answers 201 with where it went', async () => {
      const event = fresh(exampleEvent('OrderPlaced'));
      const response = await post('/v1/events', JSON.stringify(event));
      expect(response.status).toBe(201);
      const body = await json(response);
      expect(body).toEqual({ id: event.id, streamId: 'customer-cust-1001', revision: expect.any(Number), position: expect.any(Number), duplicate: false });

      const [stored] = await ingest.store.readStream('customer-cust-1001', { fromRevision: body.revision, maxCount: 1 });
      expect(stored).toMatchObject({ id: event.id, type: 'OrderPlaced', position: body.position, data: event.data });
      expect(stored!.metadata).toEqual({
        version: 1,
        customerId: 'cust-1001',
        occurredAt: event.occurredAt,
        source: 'shop',
        correlationId: 'journey-cust-1001',
        receivedAt: RECEIVED_AT,
      });
    });

    it('answers a re-sent id with 200, the same body marked duplicate, and stores nothing twice', async () => {
      const event = fresh(exampleEvent('ComplaintFiled'));
      const first = await json(await post('/v1/events', JSON.stringify(event)));
      const head = await ingest.store.headPosition();

      const again = await post('/v1/events', JSON.stringify(event));
      expect(again.status).toBe(200);
      expect(await json(again)).toEqual({ ...first, duplicate: true });
      // What is not part of the event's content (source, correlation, the version it was sent as) may change in a retry.
      const retried = await post('/v1/events', JSON.stringify({ ...event, version: 1, source: 'shop-retry', correlationId: 'other' }));
      expect([retried.status, await json(retried)]).toEqual([200, { ...first, duplicate: true }]);

      expect(await ingest.store.headPosition()).toBe(head);
      expect((await storedIds()).filter((id) => id === event.id)).toHaveLength(1);
    });

    it('answers a re-send that spells occurredAt another way 200 duplicate: the instant counts, not its spelling', async () => {
      const event = fresh({ ...exampleEvent('ComplaintFiled'), occurredAt: '2024-01-01T10:00:00Z' });
      const first = await json(await post('/v1/events', JSON.stringify(event)));
      const head = await ingest.store.headPosition();

      for (const occurredAt of ['2024-01-01T10:00:00.000Z', '2024-01-01T11:00:00+01:00', '2024-01-01T04:30:00.000000-05:30']) {
        const again = await post('/v1/events', JSON.stringify({ ...event, occurredAt }));
        expect([occurredAt, again.status, await json(again)]).toEqual([occurredAt, 200, { ...first, duplicate: true }]);
      }
      // A microsecond later is another instant.
      await problem(await post('/v1/events', JSON.stringify({ ...event, occurredAt: '2024-01-01T10:00:00.000001Z' })), 409, 'idempotency-key-reused');
      expect(await ingest.store.headPosition()).toBe(head);
    });

    it.each([
      ['other data', (event: RapportEvent) => ({ ...event, data: { ...event.data, summary: 'something else' } })],
      ['another occurredAt', (event: RapportEvent) => ({ ...event, occurredAt: '2024-03-05T10:00:00Z' })],
      ['another type', (event: RapportEvent) => ({ ...exampleEvent('OrderDelivered'), id: event.id })],
      ['another customer (another stream)', (event: RapportEvent) => ({ ...event, customerId: 'cust-other' })],
      ['a visitor instead of the customer', (event: RapportEvent) => ({ ...event, customerId: undefined, anonymousId: 'anon-1' })],
    ])('answers a known id re-sent with %s 409 idempotency-key-reused, naming the stored event, writing nothing', async (_case, change) => {
      const event = fresh(exampleEvent('ComplaintFiled'));
      const first = await json(await post('/v1/events', JSON.stringify(event)));
      const head = await ingest.store.headPosition();

      const body = await problem(await post('/v1/events', JSON.stringify(change(event))), 409, 'idempotency-key-reused');
      expect(body).toMatchObject({ title: 'Idempotency key reused', streamId: first.streamId, revision: first.revision, position: first.position });
      expect(body.errors).toEqual([{ path: 'id', message: `already stored with other content as ${first.streamId} revision ${first.revision} (position ${first.position})` }]);
      expect(await ingest.store.headPosition()).toBe(head);
    });

    it('puts visitors in visitor streams', async () => {
      const { customerId: _customer, ...event } = fresh(exampleEvent('VisitRecorded'));
      const body = await json(await post('/v1/events', JSON.stringify({ ...event, anonymousId: 'anon-5b1e77' })));
      expect(body).toMatchObject({ streamId: 'visitor-anon-5b1e77', revision: 0, duplicate: false });
    });

    it('accepts an admin key as well as an emitter key', async () => {
      const response = await post('/v1/events', JSON.stringify(fresh(exampleEvent('OrderShipped'))), { authorization: `Bearer ${ingest.keys.admin}` });
      expect(response.status).toBe(201);
    });
  });

  describe('POST /v1/events/batch', () => {
    it('stores every event in one go and answers in request order', async () => {
      const events: RapportEvent[] = exampleEvents().map((event) => fresh(event));
      events.splice(3, 0, { ...fresh(exampleEvent('VisitRecorded')), customerId: undefined, anonymousId: 'anon-batch' } as RapportEvent);
      const head = await ingest.store.headPosition();
      const response = await post('/v1/events/batch', JSON.stringify({ events }));
      expect(response.status).toBe(200);
      const { events: results } = await json(response);

      expect(results.map((result: { id: string }) => result.id)).toEqual(events.map((event) => event.id));
      expect(results.every((result: { duplicate: boolean }) => !result.duplicate)).toBe(true);
      expect(results[3]).toMatchObject({ streamId: 'visitor-anon-batch', revision: 0 });
      const customer = results.filter((result: { streamId: string }) => result.streamId === 'customer-cust-1001');
      const revisions = customer.map((result: { revision: number }) => result.revision);
      expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
      expect(new Set(revisions).size).toBe(revisions.length);

      const stored = await ingest.store.readAll({ afterPosition: head });
      expect(stored.map((event) => event.id).sort()).toEqual(events.map((event) => event.id).sort());
      for (const result of results) expect(stored.find((event) => event.id === result.id)?.position).toBe(result.position);
    });

    it('reports already stored events as duplicates with their original places, storing only the new ones', async () => {
      const known = [fresh(exampleEvent('OrderPlaced')), fresh(exampleEvent('OrderDelivered'))];
      const { events: firstResults } = await json(await post('/v1/events/batch', JSON.stringify({ events: known })));
      const added = fresh(exampleEvent('FeedbackGiven'));
      const head = await ingest.store.headPosition();

      const response = await post('/v1/events/batch', JSON.stringify({ events: [known[1], added, known[0]] }));
      const { events: results } = await json(response);
      expect(results[0]).toEqual({ ...firstResults[1], duplicate: true });
      expect(results[1]).toMatchObject({ id: added.id, duplicate: false });
      expect(results[2]).toEqual({ ...firstResults[0], duplicate: true });
      expect((await ingest.store.readAll({ afterPosition: head })).map((event) => event.id)).toEqual([added.id]);
    });

    it('re-sending a whole batch gives the same body, all duplicates, nothing new stored', async () => {
      const events = [fresh(exampleEvent('MessageSent')), fresh(exampleEvent('ConsentChanged'))];
      const first = await json(await post('/v1/events/batch', JSON.stringify({ events })));
      const head = await ingest.store.headPosition();
      const again = await json(await post('/v1/events/batch', JSON.stringify({ events })));
      expect(again).toEqual({ events: first.events.map((result: object) => ({ ...result, duplicate: true })) });
      expect(await ingest.store.headPosition()).toBe(head);
    });

    it('answers a batch reusing a known id 409, per event: the reused one named with its stored place, the others stored', async () => {
      const known = fresh(exampleEvent('ComplaintFiled'));
      const [stored] = (await json(await post('/v1/events/batch', JSON.stringify({ events: [known] })))).events;
      const added = fresh(exampleEvent('OrderPlaced'));
      const sameAgain = { ...known, id: randomUUID() };
      const events = [added, { ...known, data: { ...known.data, summary: 'changed' } }, sameAgain];
      const body = await problem(await post('/v1/events/batch', JSON.stringify({ events })), 409, 'idempotency-key-reused');
      expect(body.errors).toEqual([
        { index: 1, path: 'id', message: `already stored with other content as ${stored.streamId} revision ${stored.revision} (position ${stored.position})`, streamId: stored.streamId, revision: stored.revision, position: stored.position },
      ]);
      expect(body.detail).toBe('1 event reuses an id stored earlier with other content; nothing was written for it. The other events were stored (see events).');
      expect(body.events.map((result: { id: string; duplicate: boolean }) => [result.id, result.duplicate])).toEqual([
        [added.id, false],
        [known.id, true],
        [sameAgain.id, false],
      ]);
      expect(body.events[1]).toEqual({ ...stored, duplicate: true });
      expect(await storedIds()).toEqual(expect.arrayContaining([added.id, sameAgain.id]));
      // A true re-send of the same batch is still a plain 200 of duplicates.
      const again = await post('/v1/events/batch', JSON.stringify({ events: [added, known] }));
      expect(again.status).toBe(200);
    });

    it('rejects the whole batch when any item is bad, naming each with its index, and stores nothing', async () => {
      const events: unknown[] = [fresh(exampleEvent('OrderPlaced')), fresh(exampleEvent('OrderShipped')), fresh(exampleEvent('OrderPlaced'))];
      (events[1] as { data: { orderId: unknown } }).data.orderId = 42;
      events[2] = { ...(events[2] as object), colour: 'blue' };
      const head = await ingest.store.headPosition();

      const body = await problem(await post('/v1/events/batch', JSON.stringify({ events })), 400, 'validation');
      expect(body.title).toBe('Invalid request');
      expect(body.errors).toEqual([
        { index: 1, path: 'data.orderId', message: expect.any(String) },
        { index: 2, path: 'colour', message: 'unknown field' },
      ]);
      expect(body.detail).toBe(`item 1: data.orderId: ${body.errors[0].message} (and 1 more)`);
      expect(await ingest.store.headPosition()).toBe(head);
      expect(await storedIds()).not.toContain((events[0] as RapportEvent).id);
    });

    it('rejects an id used twice in one batch', async () => {
      const event = fresh(exampleEvent('OrderCancelled'));
      const body = await problem(await post('/v1/events/batch', JSON.stringify({ events: [event, fresh(exampleEvent('OrderPlaced')), event] })), 400, 'validation');
      expect(body.errors).toEqual([{ index: 2, path: 'id', message: 'same id as event 0 of this batch; each event needs its own id' }]);
      expect(await storedIds()).not.toContain(event.id);
    });
  });

  describe('bad input', () => {
    const valid = () => fresh(exampleEvent('OrderPlaced')) as unknown as Record<string, any>;
    const without = (key: string) => {
      const event = valid();
      delete event[key];
      return event;
    };

    it.each([
      ['wrong types', { ...valid(), data: { ...valid().data, total: '33.90' } }, [{ path: 'data.total', message: expect.any(String) }]],
      ['a missing field', without('occurredAt'), [{ path: 'occurredAt', message: 'required' }]],
      ['a missing data field', { ...valid(), data: { ...valid().data, currency: undefined } }, [{ path: 'data.currency', message: 'required' }]],
      ['an unknown type', { ...valid(), type: 'OrderTeleported' }, [{ path: 'type', message: "unknown event type 'OrderTeleported'" }]],
      ['an unknown version', { ...valid(), version: 9 }, [{ path: 'version', message: 'unknown version 9 of OrderPlaced (latest is 1)' }]],
      ['an extra envelope key', { ...valid(), priority: 'high' }, [{ path: 'priority', message: 'unknown field' }]],
      ['an extra data key', { ...valid(), data: { ...valid().data, coupon: 'X' } }, [{ path: 'data.coupon', message: 'unknown field' }]],
      ['both customer ids', { ...valid(), anonymousId: 'anon-1' }, [{ path: 'anonymousId', message: 'give either customerId or anonymousId, not both' }]],
      ['neither customer id', without('customerId'), [{ path: 'customerId', message: 'customerId or anonymousId is required' }]],
      ['a bad uuid', { ...valid(), id: '1234' }, [{ path: 'id', message: 'must be a UUID' }]],
      ['a bad date', { ...valid(), occurredAt: '2023-02-29T10:00:00Z' }, [{ path: 'occurredAt', message: 'must be an ISO-8601 date-time with Z or an offset' }]],
      ['a date without offset', { ...valid(), occurredAt: '2024-03-01 10:00' }, [{ path: 'occurredAt', message: 'must be an ISO-8601 date-time with Z or an offset' }]],
      ['an array', [valid()], [{ path: '', message: 'expected an event object' }]],
      ['a string', 'OrderPlaced', [{ path: '', message: 'expected an event object' }]],
      ['null', null, [{ path: '', message: 'expected an event object' }]],
    ])('400 for %s, naming the field, storing nothing', async (_name, input, errors) => {
      const head = await ingest.store.headPosition();
      const body = await problem(await post('/v1/events', JSON.stringify(input)), 400, 'validation');
      expect(body.errors).toEqual(errors);
      expect(body.instance).toBe('/v1/events');
      expect(await ingest.store.headPosition()).toBe(head);
    });

    it.each([
      ['truncated JSON', '{"id":"0b0e4a8e-'],
      ['trailing garbage', '{"a":1} x'],
      ['single quotes', "{'a':1}"],
      ['an empty body', ''],
      ['a __proto__ key', '{"__proto__":{"role":"admin"}}'],
    ])('400 malformed-json for %s', async (_name, raw) => {
      const body = await problem(await post('/v1/events', raw), 400, 'malformed-json');
      expect(body.title).toBe('Malformed JSON');
    });

    it('400 for a request with no body at all', async () => {
      const body = await problem(await post('/v1/events', undefined, { 'content-type': '' }), 400, 'validation');
      expect(body.errors).toEqual([{ path: '', message: 'expected an event object' }]);
    });

    it.each([
      ['an empty batch', { events: [] }, [{ path: 'events', message: 'must hold at least 1 event' }]],
      ['a batch over 1,000 events', { events: Array.from({ length: 1001 }, () => ({})) }, [{ path: 'events', message: 'must hold at most 1000 events, got 1001' }]],
      ['a batch without events', { items: [] }, [{ path: 'items', message: 'unknown field' }, { path: 'events', message: 'required' }]],
      ['a bare array as batch', [valid()], [{ path: '', message: 'expected an object { "events": [ ... ] }' }]],
    ])('400 for %s', async (_name, input, errors) => {
      const body = await problem(await post('/v1/events/batch', JSON.stringify(input)), 400, 'validation');
      expect(body.errors).toEqual(errors);
    });

    it('413 for a single event over 1 MiB', async () => {
      const event = { ...valid(), data: { ...valid().data, note: 'x'.repeat(1024 * 1024) } };
      const body = await problem(await post('/v1/events', JSON.stringify(event)), 413, 'payload-too-large');
      expect(body.detail).toBe('The request body exceeds the limit of 1048576 bytes.');
    });

    it('413 for a batch over 1 MiB', async () => {
      const events = Array.from({ length: 1000 }, () => ({ ...valid(), data: { ...valid().data, lines: Array(10).fill(valid().data.lines[0]) } }));
      const raw = JSON.stringify({ events });
      expect(raw.length).toBeGreaterThan(1024 * 1024);
      await problem(await post('/v1/events/batch', raw), 413, 'payload-too-large');
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream'])(
      '415 for %s',
      async (contentType) => {
        const body = await problem(await post('/v1/events', JSON.stringify(valid()), { 'content-type': contentType }), 415, 'unsupported-media-type');
        expect(body.detail).toBe(`Only application/json request bodies are accepted; got "${contentType}".`);
      },
    );

    it('415 for a body without a content type', async () => {
      const body = await problem(await post('/v1/events', new TextEncoder().encode(JSON.stringify(valid())), { 'content-type': '' }), 415, 'unsupported-media-type');
      expect(body.detail).toBe('Only application/json request bodies are accepted; got no Content-Type.');
    });
  });

  describe('authentication and roles', () => {
    it('401 without a key, naming the scheme', async () => {
      const response = await post('/v1/events', JSON.stringify(fresh(exampleEvent('OrderPlaced'))), { authorization: '' });
      const body = await problem(response, 401, 'unauthorized');
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(body.detail).toContain('Authorization: Bearer');
    });

    it('401 for a malformed header or an unknown key', async () => {
      const event = JSON.stringify(fresh(exampleEvent('OrderPlaced')));
      await problem(await post('/v1/events', event, { authorization: `Basic ${ingest.keys.emitter}` }), 401, 'unauthorized');
      await problem(await post('/v1/events', event, { authorization: 'Bearer rpk_emitter_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 401, 'unauthorized');
    });

    it.each(['analyst', 'support'] as const)('403 for a %s key on both endpoints', async (role) => {
      const event = fresh(exampleEvent('OrderPlaced'));
      const headers = { authorization: `Bearer ${ingest.keys[role]}` };
      const body = await problem(await post('/v1/events', JSON.stringify(event), headers), 403, 'forbidden');
      expect(body.detail).toBe(`A key with role "${role}" may not call this route; allowed: admin, emitter.`);
      await problem(await post('/v1/events/batch', JSON.stringify({ events: [event] }), headers), 403, 'forbidden');
      expect(await storedIds()).not.toContain(event.id);
    });

    it('401 for a revoked key', async () => {
      const created = await ingest.apiKeys.create({ role: 'emitter', name: 'short-lived' });
      const headers = { authorization: `Bearer ${created.key}` };
      expect((await post('/v1/events', JSON.stringify(fresh(exampleEvent('OrderPlaced'))), headers)).status).toBe(201);
      expect(await ingest.apiKeys.revoke('short-lived')).toBe(true);
      const body = await problem(await post('/v1/events', JSON.stringify(fresh(exampleEvent('OrderPlaced'))), headers), 401, 'unauthorized');
      expect(body.detail).toBe('The API key is unknown or has been revoked.');
    });
  });

  describe('operations', () => {
    it('documents both endpoints, the problem schema and bearer auth', async () => {
      const document = await json(await fetch(`${ingest.baseUrl}/docs/json`));
      expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(Object.keys(document.components.schemas.ProblemDto.properties)).toEqual(['type', 'title', 'status', 'detail', 'instance', 'errors']);
      const single = document.paths['/v1/events'].post;
      const batch = document.paths['/v1/events/batch'].post;
      expect(Object.keys(single.responses).sort()).toEqual(['200', '201', '400', '401', '403', '409', '413', '415']);
      expect(Object.keys(batch.responses).sort()).toEqual(['200', '400', '401', '403', '409', '413', '415']);
      expect(single.security).toEqual([{ bearer: [] }]);
      expect(single.responses['400'].content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/ProblemDto' });
      const documented = single.requestBody.content['application/json'].schema.oneOf.map((schema: { title: string }) => schema.title);
      expect(documented).toHaveLength(23);
      expect(documented).toContain('ComplaintAssigned v1');
      // Breaches are decided by the cases service: not something an emitter may send.
      expect(documented).not.toContain('SlaBreached v1');
      expect(batch.requestBody.content['application/json'].schema.properties.events.maxItems).toBe(1000);
    });

    it('counts appended events by type, new and duplicate', async () => {
      const event = fresh(exampleEvent('CallbackRequested'));
      await post('/v1/events', JSON.stringify(event));
      await post('/v1/events', JSON.stringify(event));
      const text = await (await fetch(`${ingest.baseUrl}/metrics`)).text();
      expect(text).toMatch(/ingest_events_total\{type="CallbackRequested",outcome="new"\} [1-9]/);
      expect(text).toMatch(/ingest_events_total\{type="CallbackRequested",outcome="duplicate"\} [1-9]/);
    });

    it('is live and ready', async () => {
      expect((await fetch(`${ingest.baseUrl}/health/live`)).status).toBe(200);
    });
  });
});
