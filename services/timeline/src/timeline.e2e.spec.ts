import type { ProfileSummary } from './customer-profiles/queries';
import { CUSTOMER, mixedHistory } from './mixed-history';
import type { SearchPage } from './search/queries';
import type { TimelineEntry, TimelinePage } from './timeline-entries/queries';
import { startTimelineTestApp, type EmittedEvent, type TimelineTestApp } from './timeline-test-app';

const EXPECTED_TIMELINE: ReadonlyArray<[type: string, occurredAt: string, summary: string, channel: string | null]> = [
  ['CallbackRequested', '2024-04-10T09:00:00.000Z', 'Callback requested for 09:00–11:00 on 2024-04-12', 'phone'],
  ['CustomerProfileUpdated', '2024-04-09T12:00:00.000Z', 'Profile updated: phone', null],
  ['OrderPlaced', '2024-04-09T11:00:00.000Z', 'Order #ord-2 placed — 1 item, £25.00', 'store'],
  ['VisitRecorded', '2024-04-08T18:00:00.000Z', 'App visit — 2 pages', 'app'],
  ['MessageSent', '2024-04-07T09:00:00.000Z', 'SMS sent (spring)', 'sms'],
  ['FeedbackGiven', '2024-04-06T10:00:00.000Z', 'Feedback: 4/5, NPS 9 on order #ord-1', null],
  ['OrderReturned', '2024-04-05T10:00:00.000Z', 'Order #ord-1 returned — 1 item, £19.56 refunded', null],
  ['MessageSent', '2024-04-04T15:05:00.000Z', 'Email sent: Your voucher', 'email'],
  ['ComplaintResolved', '2024-04-04T15:00:00.000Z', 'Complaint cmp-1 resolved — £5.00 compensation', null],
  ['CallbackCompleted', '2024-04-04T14:30:00.000Z', 'Callback completed: resolved', 'phone'],
  ['CallbackRequested', '2024-04-03T13:05:00.000Z', 'Callback requested for 14:00–16:00', 'phone'],
  ['ComplaintFiled', '2024-04-03T13:00:00.000Z', 'Complaint filed: late delivery (high)', 'email'],
  ['OrderDelivered', '2024-04-03T12:00:00.000Z', 'Order #ord-1 delivered', null],
  ['VisitRecorded', '2024-04-02T12:00:00.000Z', 'Store visit — 15 min', 'store'],
  ['OrderShipped', '2024-04-02T08:00:00.000Z', 'Order #ord-1 shipped via DHL', null],
  ['OrderPlaced', '2024-04-01T09:20:00.000Z', 'Order #ord-1 placed — 12 items, £139.12', 'web'],
  ['ConsentChanged', '2024-04-01T09:11:00.000Z', 'Consent to marketing by email granted', null],
  ['CustomerRegistered', '2024-04-01T09:10:00.000Z', 'Registered via web', 'web'],
  ['VisitRecorded', '2024-04-01T09:00:00.000Z', 'Web visit — 4 pages, 5 min, 1 product viewed', 'web'],
  ['CustomerProfileUpdated', '2024-03-01T00:00:00.000Z', 'Profile updated: email', null],
];

const EXPECTED_PROFILE: ProfileSummary = {
  customerId: CUSTOMER,
  identity: { email: 'jo@example.com', phone: '+447700900222', firstName: 'Jo', lastName: 'Bloggs', birthDate: null, country: 'GB', locale: null },
  signupChannel: 'web',
  registeredAt: '2024-04-01T09:10:00.000Z',
  consents: [{ purpose: 'marketing', channel: 'email', granted: true, changedAt: '2024-04-01T09:11:00.000Z' }],
  firstSeen: '2024-03-01T00:00:00.000Z',
  lastSeen: '2024-04-10T09:00:00.000Z',
  interactions: 20,
  orders: {
    count: 2,
    netSpend: { amount: 14456, currency: 'GBP' },
    byCurrency: [{ currency: 'GBP', orders: 2, gross: 16412, refunded: 1956, net: 14456 }],
  },
  openComplaints: [],
  pendingCallbacks: [{ callbackId: 'cb-2', status: 'requested', requestedAt: '2024-04-10T09:00:00.000Z', preferredWindow: { from: '09:00', to: '11:00', date: '2024-04-12' }, scheduledFor: null }],
  casesSource: 'timeline',
};

const rows = (entries: readonly TimelineEntry[]) => entries.map((entry) => [entry.type, entry.occurredAt, entry.summary, entry.channel]);

describe('timeline API over a mixed history', () => {
  let app: TimelineTestApp;
  let history: { inOrder: EmittedEvent[]; late: EmittedEvent[] };

  beforeAll(async () => {
    app = await startTimelineTestApp('timeline_e2e', { batchSize: 7 });
    history = mixedHistory();
    await app.emit(history.inOrder);
    await app.emit(history.late);
    await app.emit([
      { id: '20000000-0000-4000-8000-000000000001', type: 'CustomerRegistered', version: 1, customerId: 'c-43', occurredAt: '2024-04-11T00:00:00Z', source: 'shop', data: { firstName: 'Jo', lastName: 'Adams', email: 'jadams@example.com' } },
      { id: '20000000-0000-4000-8000-000000000002', type: 'CustomerRegistered', version: 1, customerId: 'jo', occurredAt: '2024-01-01T00:00:00Z', source: 'shop', data: { firstName: 'Zed' } },
    ]);
    await app.projections.settled();
  });

  afterAll(() => app?.close());


  it('reads back the exact timeline, newest first, with late events in their place', async () => {
    const { status, body } = await app.get<TimelinePage>(`/v1/customers/${CUSTOMER}/timeline?limit=100`);
    expect(status).toBe(200);
    expect(rows(body.entries)).toEqual(EXPECTED_TIMELINE);
    expect(body.nextCursor).toBeNull();

    const filed = body.entries.find((entry) => entry.type === 'ComplaintFiled') as TimelineEntry;
    expect(filed.related).toEqual({ complaintId: 'cmp-1', orderId: 'ord-1' });
    expect(filed.links?.map((link) => [link.type, link.via])).toEqual([
      ['OrderPlaced', 'order:ord-1'],
      ['OrderShipped', 'order:ord-1'],
      ['OrderDelivered', 'order:ord-1'],
      ['CallbackRequested', 'complaint:cmp-1'],
      ['ComplaintResolved', 'complaint:cmp-1'],
      ['MessageSent', 'complaint:cmp-1'],
      ['OrderReturned', 'order:ord-1'],
      ['FeedbackGiven', 'order:ord-1'],
    ]);
    const placed = body.entries.find((entry) => entry.summary.startsWith('Order #ord-1 placed')) as TimelineEntry;
    expect(placed.amount).toEqual({ value: 13912, currency: 'GBP' });
    expect(body.entries.find((entry) => entry.type === 'CallbackCompleted')?.actor).toEqual({ id: 'agent-3', name: 'Sam Lee' });
  });

  it('reads back the exact profile summary', async () => {
    const { status, body } = await app.get<ProfileSummary>(`/v1/customers/${CUSTOMER}`);
    expect(status).toBe(200);
    expect(body).toEqual(EXPECTED_PROFILE);
    expect((await app.get(`/v1/customers/nobody`)).status).toBe(404);
  });

  it('filters by type, channel and time, oldest first on request', async () => {
    const orders = await app.get<TimelinePage>(`/v1/customers/${CUSTOMER}/timeline?types=OrderPlaced,OrderReturned&order=oldest`);
    expect(orders.body.entries.map((entry) => entry.summary)).toEqual([
      'Order #ord-1 placed — 12 items, £139.12',
      'Order #ord-1 returned — 1 item, £19.56 refunded',
      'Order #ord-2 placed — 1 item, £25.00',
    ]);
    const phone = await app.get<TimelinePage>(`/v1/customers/${CUSTOMER}/timeline?channels=phone&from=2024-04-04T00:00:00Z&to=2024-04-10T09:00:00Z`);
    expect(rows(phone.body.entries)).toEqual([EXPECTED_TIMELINE[9]]);
    const bad = await app.get<{ errors: { path: string }[] }>(`/v1/customers/${CUSTOMER}/timeline?types=Nonsense`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('types.0');
    // Values JavaScript reads as dates but PostgreSQL does not: a 400 naming the field, never a 500.
    const crafted = Buffer.from(JSON.stringify(['x 2020', 1, 'newest'])).toString('base64url');
    for (const [query, path] of [[`cursor=${crafted}`, 'cursor'], ['from=0000-01-01T00:00:00Z', 'from']]) {
      const response = await app.get<{ errors: { path: string }[] }>(`/v1/customers/${CUSTOMER}/timeline?${query}`);
      expect([response.status, response.body.errors[0].path]).toEqual([400, path]);
    }
  });

  it.each([
    ['a cursor holding an impossible date', `/v1/customers/${CUSTOMER}/timeline?cursor=${Buffer.from(JSON.stringify(['2024-02-30T00:00:00.000000Z', 1, 'newest'])).toString('base64url')}`, 'cursor'],
    ['a cursor holding hour 25', `/v1/customers/${CUSTOMER}/timeline?cursor=${Buffer.from(JSON.stringify(['2024-02-01T25:00:00.000000Z', 1, 'newest'])).toString('base64url')}`, 'cursor'],
    ['from with an offset beyond ±15:59', `/v1/customers/${CUSTOMER}/timeline?from=2024-01-01T00:00:00%2B16:00`, 'from'],
    ['to in UTC year 10000', `/v1/customers/${CUSTOMER}/timeline?to=9999-12-31T23:00:00-02:00`, 'to'],
    ['a NUL in the customer id of the profile', '/v1/customers/a%00b', 'customerId'],
    ['a NUL in the customer id of the timeline', '/v1/customers/a%00b/timeline', 'customerId'],
    ['a NUL in the search text', '/v1/customers?q=a%00b', 'q'],
    ['a NUL in a timeline channel', `/v1/customers/${CUSTOMER}/timeline?channels=a%00b`, 'channels'],
  ])('answers %s with a 400 naming it, not a 500', async (_case, path, field) => {
    const response = await app.get<{ errors: { path: string }[] }>(path);
    expect([response.status, response.body.errors?.[0]?.path]).toEqual([400, field]);
  });

  it('serves every customer route for the longest id ingest accepts (128 characters)', async () => {
    const longId = `c${'x'.repeat(126)}9`;
    await app.emit([
      { id: '20000000-0000-4000-8000-000000000003', type: 'CustomerRegistered', version: 1, customerId: longId, occurredAt: '2024-04-11T00:00:00Z', source: 'shop', data: { firstName: 'Long' } },
    ]);
    await app.projections.settled();
    const profile = await app.get<ProfileSummary>(`/v1/customers/${longId}`);
    expect([profile.status, profile.body.customerId]).toEqual([200, longId]);
    const timeline = await app.get<TimelinePage>(`/v1/customers/${longId}/timeline`);
    expect([timeline.status, rows(timeline.body.entries)]).toEqual([200, [['CustomerRegistered', '2024-04-11T00:00:00.000Z', 'Registered', null]]]);
    const entry = await app.get(`/v1/customers/${longId}/timeline/20000000-0000-4000-8000-000000000003`);
    expect(entry.status).toBe(200);
  });

  it('pages with a cursor that stays stable while entries are inserted before, between and after', async () => {
    const seen: TimelineEntry[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const query: string = `/v1/customers/${CUSTOMER}/timeline?limit=6${cursor ? `&cursor=${cursor}` : ''}`;
      const { body }: { body: TimelinePage } = await app.get<TimelinePage>(query);
      seen.push(...body.entries);
      cursor = body.nextCursor;
      if (page++ === 0) {
        // Newer than everything, in the middle of what is still to come, and older than everything.
        await app.emit([
          { id: '30000000-0000-4000-8000-000000000001', type: 'MessageSent', version: 1, customerId: CUSTOMER, occurredAt: '2024-05-01T00:00:00Z', source: 'mailer', data: { channel: 'chat', direction: 'inbound' } },
          { id: '30000000-0000-4000-8000-000000000002', type: 'MessageSent', version: 1, customerId: CUSTOMER, occurredAt: '2024-04-03T12:30:00Z', source: 'mailer', data: { channel: 'chat', direction: 'inbound' } },
        ]);
        await app.projections.settled();
      }
    } while (cursor);
    const expected = [...EXPECTED_TIMELINE.slice(0, 12), ['MessageSent', '2024-04-03T12:30:00.000Z', 'Chat message received', 'chat'], ...EXPECTED_TIMELINE.slice(12)];
    expect(rows(seen)).toEqual(expected);
  });

  it('gives analysts no personal fields and no raw events', async () => {
    const profile = await app.get<ProfileSummary>(`/v1/customers/${CUSTOMER}`, 'analyst');
    expect(profile.body.identity).toEqual({ country: 'GB', locale: null });
    const timeline = await app.get<TimelinePage>(`/v1/customers/${CUSTOMER}/timeline?types=ComplaintFiled,CallbackCompleted`, 'analyst');
    expect(timeline.body.entries.map((entry) => [entry.summary, 'actor' in entry])).toEqual([
      ['Callback completed: resolved', false],
      ['Complaint filed: delivery (high)', false],
    ]);
    const filedId = history.inOrder.find((event) => event.type === 'ComplaintFiled')?.id;
    expect((await app.get(`/v1/customers/${CUSTOMER}/timeline/${filedId}`, 'analyst')).status).toBe(403);
    expect((await app.get(`/v1/customers/${CUSTOMER}/timeline`, 'emitter')).status).toBe(403);
    const byName = await app.get<SearchPage>('/v1/customers?q=bloggs', 'analyst');
    expect(byName.body.results).toEqual([]);
  });

  it('serves the raw event behind an entry on demand', async () => {
    const returned = history.inOrder.find((event) => event.type === 'OrderReturned') as EmittedEvent;
    const { status, body } = await app.get<{ entry: TimelineEntry; event: Record<string, unknown> }>(`/v1/customers/${CUSTOMER}/timeline/${returned.id}`);
    expect(status).toBe(200);
    expect(body.entry.summary).toBe('Order #ord-1 returned — 1 item, £19.56 refunded');
    expect(body.event).toMatchObject({ id: returned.id, type: 'OrderReturned', customerId: CUSTOMER, source: 'order-system', data: returned.data, streamId: `customer-${CUSTOMER}` });
  });

  it('finds customers by id, email, phone in any common format and name prefix, ranked', async () => {
    const search = async (q: string) =>
      (await app.get<SearchPage>(`/v1/customers?q=${encodeURIComponent(q)}`)).body.results.map((result) => [result.customerId, result.match]);
    expect(await search('JO@example.com')).toEqual([[CUSTOMER, 'email']]);
    expect(await search('07700 900222')).toEqual([[CUSTOMER, 'phone']]);
    expect(await search('+44 (0)7700-900222'.replace('(0)', ''))).toEqual([[CUSTOMER, 'phone']]);
    expect(await search('07700 900111')).toEqual([]);
    expect(await search('blo')).toEqual([[CUSTOMER, 'name']]);
    expect(await search('jo b')).toEqual([[CUSTOMER, 'name']]);
    // Same rank: most recently seen first (c-42 got a message dated 2024-05-01 while paging above).
    expect(await search('jo')).toEqual([['jo', 'id'], [CUSTOMER, 'name'], ['c-43', 'name']]);
    const first = await app.get<SearchPage>('/v1/customers?q=jo&limit=2');
    const rest = await app.get<SearchPage>(`/v1/customers?q=jo&limit=2&cursor=${first.body.nextCursor}`);
    expect(rest.body.results.map((result) => result.customerId)).toEqual(['c-43']);
    expect(rest.body.nextCursor).toBeNull();
  });

  it('pushes new entries to a live stream', async () => {
    const controller = new AbortController();
    const response = await fetch(`${app.baseUrl}/v1/customers/${CUSTOMER}/timeline/stream`, {
      headers: { authorization: `Bearer ${app.keys.support}` },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) text += decoder.decode((await reader.read()).value, { stream: true });
    };
    await readUntil('event: ready');
    await app.emit([
      { id: '40000000-0000-4000-8000-000000000001', type: 'OrderDelivered', version: 1, customerId: CUSTOMER, occurredAt: '2024-04-10T12:00:00Z', source: 'order-system', data: { orderId: 'ord-2' } },
      { id: '40000000-0000-4000-8000-000000000002', type: 'OrderDelivered', version: 1, customerId: 'c-43', occurredAt: '2024-04-10T12:00:00Z', source: 'order-system', data: { orderId: 'x-1' } },
    ]);
    await readUntil('Order #ord-2 delivered');
    controller.abort();
    const entries = text.split('\n\n').filter((block) => block.includes('event: entry'));
    expect(entries).toHaveLength(1);
    const data = JSON.parse(entries[0].split('\n').find((line) => line.startsWith('data: '))!.slice(6)) as TimelineEntry;
    expect(data).toMatchObject({ eventId: '40000000-0000-4000-8000-000000000001', customerId: CUSTOMER, summary: 'Order #ord-2 delivered', related: { orderId: 'ord-2' } });
  });

  it('ends open live streams when the service stops, so that it can stop', async () => {
    const response = await fetch(`${app.baseUrl}/v1/customers/${CUSTOMER}/timeline/stream`, { headers: { authorization: `Bearer ${app.keys.support}` } });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let opened = '';
    while (!opened.includes('event: ready')) opened += decoder.decode((await reader.read()).value, { stream: true });
    const closing = app.close();
    let done = false;
    while (!done) done = (await reader.read()).done;
    await closing;
    app = undefined as unknown as TimelineTestApp;
  });
});
