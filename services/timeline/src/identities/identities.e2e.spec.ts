import { parseEvent } from '@rapport/contracts';
import type { Role } from '@rapport/platform';
import { startTimelineTestApp, type EmittedEvent, type TimelineTestApp } from '../timeline-test-app';

const PROBLEMS = 'https://rapport.dev/problems/';
let counter = 0;
const id = () => `20000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

function event(subject: { customerId: string } | { anonymousId: string }, type: string, occurredAt: string, data: unknown): EmittedEvent {
  return { id: id(), type, version: 1, ...subject, occurredAt, source: 'shop', data } as EmittedEvent;
}

const order = (customerId: string, orderId: string, at: string, total: number) =>
  event({ customerId }, 'OrderPlaced', at, { orderId, channel: 'web', currency: 'GBP', total, lines: [{ sku: 'MUG', quantity: 1, unitPrice: total }] });

// Two accounts of one person: a second one made at a till, with a web visit before it, and the main account.
const HISTORY: EmittedEvent[] = [
  event({ anonymousId: 'anon-dup' }, 'VisitRecorded', '2024-05-01T08:00:00Z', { sessionId: 's-dup', channel: 'web', pages: 3 }),
  event({ customerId: 'dup-1' }, 'CustomerRegistered', '2024-05-01T08:05:00Z', { email: 'kim@example.com', firstName: 'Kim', signupChannel: 'store', previousAnonymousId: 'anon-dup' }),
  order('dup-1', 'o-dup-1', '2024-05-02T10:00:00Z', 2500),
  event({ customerId: 'main-1' }, 'CustomerRegistered', '2024-04-01T09:00:00Z', { email: 'kim.l@example.com', firstName: 'Kim', lastName: 'Lee', signupChannel: 'web' }),
  order('main-1', 'o-main-1', '2024-04-02T10:00:00Z', 4000),
  event({ customerId: 'main-1' }, 'ComplaintFiled', '2024-04-03T10:00:00Z', { complaintId: 'cmp-m1', category: 'delivery', severity: 'low', orderId: 'o-main-1', channel: 'email', summary: 'Parcel late' }),
  event({ customerId: 'main-1' }, 'CustomerIdentified', '2024-04-04T10:00:00Z', { anonymousId: 'anon-main', phone: '+447700900333', via: 'login' }),
  event({ customerId: 'lone-1' }, 'CustomerRegistered', '2024-04-01T09:00:00Z', { firstName: 'Lone' }),
];

describe('identity: merge and unmerge over HTTP', () => {
  let app: TimelineTestApp;

  beforeAll(async () => {
    // The harness appends without validating: a bad seed would only be parked, and the read models be short.
    expect(HISTORY.map((seed) => parseEvent(seed)).filter((result) => !result.ok)).toEqual([]);
    app = await startTimelineTestApp('identities');
    await app.emit(HISTORY);
    await app.projections.settled();
  });

  afterAll(async () => {
    await app?.close();
  });

  async function call(method: 'GET' | 'POST', path: string, body?: unknown, role: Role = 'admin', redirect: 'follow' | 'manual' = 'follow') {
    const response = await fetch(`${app.baseUrl}${path}`, {
      method,
      redirect,
      headers: { authorization: `Bearer ${app.keys[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  }

  /** Every read model the timeline service answers for a customer. */
  async function readModels(customerId: string) {
    const timeline = await call('GET', `/v1/customers/${customerId}/timeline?limit=200`, undefined, 'support');
    const profile = await call('GET', `/v1/customers/${customerId}`, undefined, 'support');
    const identity = await call('GET', `/v1/customers/${customerId}/identity`, undefined, 'support');
    expect([timeline.status, profile.status, identity.status]).toEqual([200, 200, 200]);
    return { timeline: timeline.body, profile: profile.body, identity: identity.body };
  }

  it('links visitors, emails and phones to their customer', async () => {
    expect((await call('GET', '/v1/customers/main-1/identity', undefined, 'support')).body).toEqual({
      customerId: 'main-1', mergedInto: null, merged: [], anonymousIds: ['anon-main'], emails: ['kim.l@example.com'], phones: ['+447700900333'],
    });
    expect((await call('GET', '/v1/customers/dup-1/identity', undefined, 'support')).body).toMatchObject({ anonymousIds: ['anon-dup'], emails: ['kim@example.com'] });
  });

  it('merges into the survivor, redirects the merged id, and an unmerge gives back exactly the read models there were', async () => {
    const before = { dup: await readModels('dup-1'), main: await readModels('main-1') };
    expect(before.dup.timeline.entries).toHaveLength(3);
    expect(before.main.timeline.entries).toHaveLength(4);

    const merged = await call('POST', '/v1/customers/dup-1/merge', { into: 'main-1', reason: 'same person, till account' });
    expect(merged).toMatchObject({ status: 201, body: { customerId: 'dup-1', type: 'CustomersMerged' } });
    await app.projections.settled();

    const survivor = await readModels('main-1');
    expect(survivor.timeline.entries.map((entry: any) => [entry.customerId, entry.type])).toEqual([
      ['dup-1', 'OrderPlaced'],
      ['dup-1', 'CustomerRegistered'],
      ['dup-1', 'VisitRecorded'],
      ['main-1', 'CustomerIdentified'],
      ['main-1', 'ComplaintFiled'],
      ['main-1', 'OrderPlaced'],
      ['main-1', 'CustomerRegistered'],
    ]);
    expect(survivor.profile).toMatchObject({
      customerId: 'main-1',
      identity: { email: 'kim.l@example.com', lastName: 'Lee' },
      firstSeen: '2024-04-01T09:00:00.000Z',
      lastSeen: '2024-05-02T10:00:00.000Z',
      interactions: 7,
      orders: { count: 2, netSpend: { amount: 6500, currency: 'GBP' } },
    });
    expect(survivor.identity).toEqual({
      customerId: 'main-1', mergedInto: null, merged: [{ customerId: 'dup-1', reason: 'same person, till account' }],
      anonymousIds: ['anon-dup', 'anon-main'], emails: ['kim.l@example.com', 'kim@example.com'], phones: ['+447700900333'],
    });

    for (const path of ['/v1/customers/dup-1', '/v1/customers/dup-1/timeline?limit=200']) {
      const redirect = await call('GET', path, undefined, 'support', 'manual');
      expect([redirect.status, redirect.headers.get('location'), redirect.body]).toEqual([
        307, path.replace('dup-1', 'main-1'), { customerId: 'dup-1', mergedInto: 'main-1', location: path.replace('dup-1', 'main-1') },
      ]);
    }
    expect((await call('GET', '/v1/customers/dup-1', undefined, 'support')).body).toEqual(survivor.profile);
    expect((await call('GET', '/v1/customers/dup-1/identity', undefined, 'support')).body).toMatchObject({ mergedInto: 'main-1' });

    const unmerged = await call('POST', '/v1/customers/dup-1/unmerge', { reason: 'two people after all' });
    expect(unmerged).toMatchObject({ status: 201, body: { customerId: 'dup-1', type: 'CustomersUnmerged' } });
    await app.projections.settled();
    expect({ dup: await readModels('dup-1'), main: await readModels('main-1') }).toEqual(before);
  });

  describe('bad input', () => {
    beforeAll(async () => {
      // A standing merge for the chain and cycle rows; lone-1 is never merged.
      expect((await call('POST', '/v1/customers/dup-1/merge', { into: 'main-1', reason: 'for the table' })).status).toBe(201);
    });

    const cases: [name: string, path: string, body: unknown, role: Role, status: number, slug: string, detail: RegExp | { path: string; message: string }][] = [
      ['merge into itself', '/v1/customers/lone-1/merge', { into: 'lone-1', reason: 'x' }, 'admin', 400, 'validation', { path: 'into', message: 'a customer cannot be merged into itself' }],
      ['a merge cycle', '/v1/customers/main-1/merge', { into: 'dup-1', reason: 'x' }, 'admin', 409, 'illegal-state', /would make a cycle: 'dup-1' is merged into 'main-1'/],
      ['a merge into a merged customer', '/v1/customers/lone-1/merge', { into: 'dup-1', reason: 'x' }, 'admin', 409, 'illegal-state', /'dup-1' is merged into 'main-1'; merge into 'main-1' instead/],
      ['merging a survivor', '/v1/customers/main-1/merge', { into: 'lone-1', reason: 'x' }, 'admin', 409, 'illegal-state', /'dup-1' are merged into 'main-1'/],
      ['merging twice', '/v1/customers/dup-1/merge', { into: 'lone-1', reason: 'x' }, 'admin', 409, 'illegal-state', /already merged into 'main-1'/],
      ['unmerge of a customer never merged', '/v1/customers/lone-1/unmerge', {}, 'admin', 409, 'illegal-state', /'lone-1' is not merged into anyone/],
      ['a merge without into', '/v1/customers/lone-1/merge', { reason: 'x' }, 'admin', 400, 'validation', { path: 'into', message: 'required' }],
      ['a merge without reason', '/v1/customers/lone-1/merge', { into: 'main-1' }, 'admin', 400, 'validation', { path: 'reason', message: 'required' }],
      ['an unknown field', '/v1/customers/lone-1/merge', { into: 'main-1', reason: 'x', force: true }, 'admin', 400, 'validation', { path: 'force', message: 'unknown field' }],
      ['a bad target id', '/v1/customers/lone-1/merge', { into: 'a b', reason: 'x' }, 'admin', 400, 'validation', { path: 'into', message: 'may only contain letters, digits and _ . : @ + -' }],
      ['malformed JSON', '/v1/customers/lone-1/merge', '{"into": ', 'admin', 400, 'malformed-json', /JSON/],
      ['a support key', '/v1/customers/lone-1/merge', { into: 'main-1', reason: 'x' }, 'support', 403, 'forbidden', /role "support"/],
    ];

    it.each(cases)('%s', async (_name, path, body, role, status, slug, detail) => {
      const head = await app.store.headPosition();
      const response = await call('POST', path, body, role);
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ type: `${PROBLEMS}${slug}`, status });
      if (detail instanceof RegExp) expect(response.body.detail).toMatch(detail);
      else expect(response.body.errors).toContainEqual(expect.objectContaining(detail));
      expect(await app.store.headPosition()).toBe(head);
    });
  });

  it('the customer lookup marks a merged customer with its survivor', async () => {
    const found = await call('GET', '/v1/customers?q=Kim', undefined, 'support');
    expect(found.status).toBe(200);
    expect(found.body.results.map((match: any) => [match.customerId, match.mergedInto])).toEqual([
      ['dup-1', 'main-1'],
      ['main-1', undefined],
    ]);
  });

  describe('the live stream follows the merge (dup-1 stays merged into main-1 from the table above)', () => {
    async function open(customerId: string) {
      const controller = new AbortController();
      const response = await fetch(`${app.baseUrl}/v1/customers/${customerId}/timeline/stream`, { headers: { authorization: `Bearer ${app.keys.support}` }, signal: controller.signal });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      const until = async (needle: string) => {
        while (!text.includes(needle)) {
          const { value, done } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
        return text;
      };
      const blocks = (type: string) =>
        text.split('\n\n').filter((block) => block.includes(`event: ${type}`)).map((block) => JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6)));
      return { until, blocks, close: () => controller.abort() };
    }

    it("the survivor's stream carries the merged customer's new entries too", async () => {
      const stream = await open('main-1');
      await stream.until('event: ready');
      expect(stream.blocks('ready')).toEqual([{ customerId: 'main-1', members: ['main-1', 'dup-1'] }]);
      await app.emit([order('dup-1', 'o-dup-live', '2024-06-01T10:00:00Z', 1200), order('lone-1', 'o-lone-live', '2024-06-01T10:00:00Z', 900), order('main-1', 'o-main-live', '2024-06-01T11:00:00Z', 800)]);
      await stream.until('o-main-live');
      stream.close();
      expect(stream.blocks('entry').map((entry) => [entry.customerId, entry.related.orderId])).toEqual([
        ['dup-1', 'o-dup-live'],
        ['main-1', 'o-main-live'],
      ]);
    });

    it("the merged customer's stream names the survivor's and ends", async () => {
      const stream = await open('dup-1');
      const text = await stream.until('\n\nevent: never');
      expect(text).not.toContain('event: ready');
      expect(stream.blocks('merged')).toEqual([{ customerId: 'dup-1', mergedInto: 'main-1', location: '/v1/customers/main-1/timeline/stream' }]);
    });
  });
});
