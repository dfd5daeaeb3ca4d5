import { ERASED_MARKERS } from '@rapport/contracts';
import { startPrivacyTestApp, type PrivacyTestApp } from './support/privacy-app';

jest.setTimeout(180_000);

let sequence = 0;
const eventId = () => `54000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
const fact = (type: string, customerId: string, occurredAt: string, data: Record<string, unknown>) => ({ id: eventId(), type, customerId, occurredAt, source: 'crm', data });

const CUSTOMER = 'p-erase';
const EMAIL = 'zephyrine.quill@example.com';
const PHONE = '+447700900999';
// Seen at a sign-in only, so only the identity read model holds it.
const WORK_EMAIL = 'z.quill@lanterns.example';
// Every personal value the customer's events carry; none may survive the erasure anywhere.
const PERSONAL = [EMAIL, PHONE, WORK_EMAIL, 'Zephyrine', 'Quillfeather', 'crushed lantern box', 'ring me after six', 'Glad it got sorted', 'second lantern arrived dented'];

/** Every base table of every schema, as text, that contains `needle`. */
async function tablesContaining(app: PrivacyTestApp, needle: string): Promise<string[]> {
  const tables = (await app.pool.query<{ s: string; t: string }>(
    `SELECT table_schema AS s, table_name AS t FROM information_schema.tables
      WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  )).rows;
  const found: string[] = [];
  for (const { s, t } of tables) {
    const { rows } = await app.pool.query(`SELECT 1 FROM "${s}"."${t}" x WHERE strpos(x::text, $1) > 0 LIMIT 1`, [needle]);
    if (rows.length > 0) found.push(`${s}.${t}`);
  }
  return found;
}

describe('erasure by crypto-shredding, end to end', () => {
  let app: PrivacyTestApp;
  const emit = async (...events: unknown[]) => {
    const answer = await app.call('POST', '/v1/events/batch', 'emitter', { events });
    expect(answer.status).toBeLessThan(300);
  };
  const figures = async () => ({
    loyalty: (await app.call('GET', `/v1/customers/${CUSTOMER}/loyalty`, 'support')).body,
    metrics: (await app.call('GET', '/v1/service/metrics?from=2030-01-01T00:00:00Z&to=2030-12-31T00:00:00Z', 'analyst')).body,
    segments: (await app.call('GET', '/v1/segments', 'analyst')).body.segments,
  });

  beforeAll(async () => {
    app = await startPrivacyTestApp('privacy_erasure', { now: '2030-06-01T00:00:00Z' });
    await emit(
      fact('CustomerRegistered', CUSTOMER, '2030-01-01T00:00:00Z', { email: EMAIL, phone: PHONE, firstName: 'Zephyrine', lastName: 'Quillfeather', birthDate: '1990-04-04', country: 'GB' }),
      fact('CustomerRegistered', 'p-keep', '2030-01-01T00:00:00Z', { email: 'keep@example.com', firstName: 'Kept' }),
      fact('CustomerIdentified', CUSTOMER, '2030-01-15T08:00:00Z', { email: WORK_EMAIL, via: 'login' }),
      fact('OrderPlaced', CUSTOMER, '2030-02-01T10:00:00Z', { orderId: 'o-e1', channel: 'web', currency: 'GBP', total: 12_000, lines: [{ sku: 'A', quantity: 1, unitPrice: 12_000 }] }),
      fact('OrderPlaced', 'p-keep', '2030-02-01T10:00:00Z', { orderId: 'o-k1', channel: 'web', currency: 'GBP', total: 3_000, lines: [{ sku: 'A', quantity: 1, unitPrice: 3_000 }] }),
      fact('ComplaintFiled', CUSTOMER, '2030-02-03T09:00:00Z', { complaintId: 'cmp-e1', category: 'delivery', severity: 'high', channel: 'email', summary: 'A crushed lantern box' }),
      fact('CallbackRequested', CUSTOMER, '2030-02-03T09:05:00Z', { callbackId: 'cb-e1', reason: 'Please ring me after six', phone: PHONE, preferredWindow: { from: '18:00', to: '19:00' } }),
      fact('ComplaintResolved', CUSTOMER, '2030-02-04T09:00:00Z', { complaintId: 'cmp-e1', resolution: 'Refunded, Zephyrine was happy' }),
      fact('FeedbackGiven', CUSTOMER, '2030-02-05T09:00:00Z', { rating: 5, comment: 'Glad it got sorted', complaintId: 'cmp-e1' }),
      fact('MessageSent', CUSTOMER, '2030-02-06T09:00:00Z', { channel: 'email', direction: 'outbound', subject: 'For Zephyrine Quillfeather', campaign: 'spring' }),
      // Names no complaint: the cases model keeps it apart (customer_messages) for the customer's complaints' clocks.
      fact('MessageSent', CUSTOMER, '2030-02-06T10:00:00Z', { channel: 'email', direction: 'inbound', subject: 'The second lantern arrived dented' }),
    );
    await app.settled();
    expect((await app.call('POST', '/v1/segments/recomputes', 'admin', { asOf: '2030-06-01T00:00:00Z' })).status).toBe(201);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('the store holds only ciphertext, while read models show the personal data to staff', async () => {
    expect((await tablesContaining(app, EMAIL)).sort()).toEqual(['customer_profiles_g1.profiles', 'identities_g1.identifiers']);
    expect(await tablesContaining(app, WORK_EMAIL)).toEqual(['identities_g1.identifiers']);
    expect(await tablesContaining(app, PHONE)).toEqual(expect.arrayContaining(['customer_profiles_g1.profiles', 'segments_g1.contacts']));
    expect(await tablesContaining(app, 'crushed lantern box')).toEqual(expect.arrayContaining(['timeline_g1.entries', 'cases_g1.case_events']));
    expect((await tablesContaining(app, 'crushed lantern box')).some((table) => table.startsWith('rapport_events'))).toBe(false);
    expect(await tablesContaining(app, 'second lantern arrived dented')).toEqual(expect.arrayContaining(['cases_g1.customer_messages']));
    const profile = await app.call('GET', `/v1/customers/${CUSTOMER}`, 'support');
    expect(profile.body.identity).toMatchObject({ email: EMAIL, firstName: 'Zephyrine' });
  });

  it('after erasure no table holds any of the personal data, read models show the customer as erased, figures are unchanged and rebuilds give equal hashes', async () => {
    const before = await figures();
    const erased = await app.call('POST', `/v1/customers/${CUSTOMER}/erasure`, 'admin', { reason: 'Subject asked to be forgotten (ticket 81)' });
    expect(erased.status).toBe(201);
    expect(erased.body).toMatchObject({ customerId: CUSTOMER, erasedAt: expect.any(String) });
    await app.settled();
    expect((await app.call('POST', '/v1/segments/recomputes', 'admin', { asOf: '2030-06-01T00:00:00Z' })).status).toBe(201);

    for (const value of PERSONAL) expect({ value, tables: await tablesContaining(app, value) }).toEqual({ value, tables: [] });
    // The customer kept is untouched.
    expect((await tablesContaining(app, 'keep@example.com')).sort()).toEqual(['customer_profiles_g1.profiles', 'identities_g1.identifiers']);

    const profile = await app.call('GET', `/v1/customers/${CUSTOMER}`, 'support');
    expect(profile.body.identity).toMatchObject({ email: ERASED_MARKERS.email, phone: ERASED_MARKERS.phone, firstName: ERASED_MARKERS.text, lastName: ERASED_MARKERS.text });
    const timeline = await app.call('GET', `/v1/customers/${CUSTOMER}/timeline?types=ComplaintFiled,CustomerErased`, 'support');
    expect(timeline.body.entries.map((entry: { summary: string }) => entry.summary)).toEqual(['Personal data erased', expect.stringContaining(ERASED_MARKERS.text)]);
    const search = await app.call('GET', `/v1/customers?q=${encodeURIComponent(EMAIL)}`, 'support');
    expect(search.body.results ?? search.body.customers ?? []).toEqual([]);

    expect(await figures()).toEqual(before);

    for (const [runtime, name] of [[app.timeline.projections!, 'timeline'], [app.timeline.projections!, 'customer-profiles'], [app.timeline.projections!, 'identities'], [app.cases.projections, 'cases'], [app.privacy.projections, 'consents']] as const) {
      const report = await runtime.verify(name);
      expect({ name, differences: report.differences, equal: report.equal }).toEqual({ name, differences: [], equal: true });
    }
  });

  it('bad requests get clear answers: erase twice, erase unknown, export erased, wrong role, no reason, an emitted CustomerErased', async () => {
    const twice = await app.call('POST', `/v1/customers/${CUSTOMER}/erasure`, 'admin', { reason: 'again' });
    expect(twice).toMatchObject({ status: 409, type: expect.stringMatching(/^application\/problem\+json/) });
    expect(twice.body.detail).toMatch(new RegExp(`^Customer '${CUSTOMER}' was erased at .*; it cannot be erased again\\.$`));
    const table: [string, string, string, unknown, number, RegExp][] = [
      ['POST', '/v1/customers/p-nobody/erasure', 'admin', { reason: 'asked' }, 404, /No customer 'p-nobody' is known/],
      ['GET', `/v1/customers/${CUSTOMER}/export`, 'admin', undefined, 409, /was erased at .*no personal data is held to export/],
      ['POST', '/v1/customers/p-keep/erasure', 'support', { reason: 'asked' }, 403, /role .{1,3}support.{1,3} may not call this route/],
      ['GET', '/v1/customers/p-keep/export', 'analyst', undefined, 403, /role .{1,3}analyst.{1,3} may not call this route/],
      ['POST', '/v1/customers/p-keep/erasure', 'admin', {}, 400, /reason/],
      ['POST', '/v1/customers/bad%20id/erasure', 'admin', { reason: 'asked' }, 400, /customerId/],
      ['POST', '/v1/events', 'emitter', fact('CustomerErased', 'p-keep', '2030-05-01T00:00:00Z', { reason: 'forged' }), 400, /erasure API/],
    ];
    for (const [method, path, role, body, status, detail] of table) {
      const answer = await app.call(method, path, role as 'admin', body);
      expect({ path, role, status: answer.status, problem: answer.type?.startsWith('application/problem+json') }).toEqual({ path, role, status, problem: true });
      expect(JSON.stringify(answer.body)).toMatch(detail);
    }
  });
});
