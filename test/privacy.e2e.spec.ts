import { startPrivacyTestApp, type PrivacyTestApp } from './support/privacy-app';

jest.setTimeout(120_000);

let sequence = 0;
const eventId = () => `52000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
const fact = (type: string, customerId: string, occurredAt: string, data: Record<string, unknown>) => ({ id: eventId(), type, customerId, occurredAt, source: 'crm', data });
const order = (customerId: string, orderId: string, at: string, total: number) =>
  fact('OrderPlaced', customerId, at, { orderId, channel: 'web', currency: 'GBP', total, lines: [{ sku: 'A', quantity: 1, unitPrice: total }] });

describe('privacy: consents, audit, export and erasure over HTTP', () => {
  let app: PrivacyTestApp;
  const emit = async (...events: unknown[]) => {
    const answer = await app.call('POST', '/v1/events/batch', 'emitter', { events });
    expect(answer.status).toBeLessThan(300);
  };

  beforeAll(async () => {
    app = await startPrivacyTestApp('privacy_e2e', { now: '2030-06-01T00:00:00Z' });
    await emit(
      fact('CustomerRegistered', 'p-yes', '2030-01-01T00:00:00Z', { email: 'yes@example.com', firstName: 'Ada' }),
      fact('CustomerRegistered', 'p-no', '2030-01-01T00:00:00Z', { email: 'no@example.com', firstName: 'Bob' }),
      fact('ConsentChanged', 'p-yes', '2030-01-02T00:00:00Z', { purpose: 'marketing', channel: 'email', granted: true }),
      fact('ConsentChanged', 'p-no', '2030-01-02T00:00:00Z', { purpose: 'marketing', channel: 'email', granted: true }),
      fact('ConsentChanged', 'p-no', '2030-03-01T00:00:00Z', { purpose: 'marketing', channel: 'email', granted: false }),
      order('p-yes', 'o-yes', '2030-02-01T10:00:00Z', 1_000),
      order('p-no', 'o-no', '2030-02-01T10:00:00Z', 1_000),
      fact('MessageSent', 'p-no', '2030-04-01T00:00:00Z', { channel: 'email', direction: 'outbound', campaign: 'summer' }),
    );
    await app.settled();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('consents, the audience check and violations answer over HTTP', async () => {
    const consents = await app.call('GET', '/v1/customers/p-no/consents', 'support');
    expect(consents.status).toBe(200);
    expect(consents.body.current).toEqual([expect.objectContaining({ purpose: 'marketing', channel: 'email', granted: false })]);
    expect(consents.body.history).toHaveLength(2);

    const check = await app.call('GET', '/v1/consents/check?purpose=marketing&channel=email&customers=p-yes,p-no,p-unknown', 'analyst');
    expect(check.status).toBe(200);
    expect(check.body).toMatchObject({ allowed: ['p-yes'], denied: ['p-no', 'p-unknown'] });
    const inFebruary = await app.call('GET', '/v1/consents/check?purpose=marketing&channel=email&customers=p-no&at=2030-02-01T00:00:00Z', 'analyst');
    expect(inFebruary.body.allowed).toEqual(['p-no']);

    const violations = await app.call('GET', '/v1/compliance/violations', 'admin');
    expect(violations.status).toBe(200);
    expect(violations.body.violations).toEqual([expect.objectContaining({ customerId: 'p-no', campaign: 'summer', channel: 'email' })]);
  });

  it('a marketing CSV export of a segment leaves out customers without consent; the plain export keeps them', async () => {
    expect((await app.call('POST', '/v1/segments/recomputes', 'admin', { asOf: '2030-06-01T00:00:00Z' })).status).toBe(201);
    const segment = (await app.call('GET', '/v1/customers/p-no/segment', 'analyst')).body.segment as string;
    expect(segment).toBe((await app.call('GET', '/v1/customers/p-yes/segment', 'analyst')).body.segment);
    const all = await app.call('GET', `/v1/segments/${segment}/customers`, 'analyst', undefined, { accept: 'text/csv' });
    expect(all.text.trim().split('\r\n').slice(1).map((line) => line.split(',')[0])).toEqual(['p-no', 'p-yes']);
    const marketing = await app.call('GET', `/v1/segments/${segment}/customers?purpose=marketing&channel=email`, 'analyst', undefined, { accept: 'text/csv' });
    expect(marketing.status).toBe(200);
    expect(marketing.text.trim().split('\r\n').slice(1).map((line) => line.split(',')[0])).toEqual(['p-yes']);
  });

  it('every read of a customer’s timeline or profile is in the audit log with who, which route and from where; only admins read it', async () => {
    expect((await app.call('GET', '/v1/customers/p-yes/timeline', 'support', undefined, { 'user-agent': 'desk/1.0' })).status).toBe(200);
    expect((await app.call('GET', '/v1/customers/p-yes', 'analyst')).status).toBe(200);
    const audit = await app.call('GET', '/v1/admin/audit?customerId=p-yes', 'admin');
    expect(audit.status).toBe(200);
    expect(audit.body.entries.slice(0, 2)).toEqual([
      expect.objectContaining({ customerId: 'p-yes', route: '/v1/customers/:customerId', role: 'analyst', actorId: app.keyIds.analyst, via: 'key' }),
      expect.objectContaining({ customerId: 'p-yes', route: '/v1/customers/:customerId/timeline', role: 'support', actorId: app.keyIds.support, actorName: 'support-key', userAgent: 'desk/1.0', ip: '127.0.0.1' }),
    ]);
    expect((await app.call('GET', '/v1/admin/audit', 'support')).status).toBe(403);
    await expect(app.pool.query("DELETE FROM privacy_audit.access_log WHERE customer_id = 'p-yes'")).rejects.toThrow(/append-only/);
  });

  it('the subject export streams the customer’s events and every read-model row naming them, and is audited', async () => {
    await emit(
      fact('ComplaintFiled', 'p-yes', '2030-05-01T09:00:00Z', { complaintId: 'cmp-p', category: 'delivery', severity: 'low', channel: 'email', summary: 'Box was crushed' }),
      fact('CustomerIdentified', 'p-yes', '2030-05-02T09:00:00Z', { email: 'ada@work.example', via: 'login' }),
    );
    expect((await app.call('POST', '/v1/customers/p-no/merge', 'admin', { into: 'p-yes', reason: 'Same household account' })).status).toBe(201);
    await app.settled();
    const answer = await app.call('GET', '/v1/customers/p-yes/export', 'admin');
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/json/);
    const document = answer.body;
    expect(document.customerId).toBe('p-yes');
    expect(document.events.map((event: { type: string }) => event.type)).toEqual(['CustomerRegistered', 'ConsentChanged', 'OrderPlaced', 'ComplaintFiled', 'CustomerIdentified', 'PointsEarned', 'PointsEarned']);
    expect(document.events[0].data).toEqual({ email: 'yes@example.com', firstName: 'Ada' });
    expect(Object.keys(document.readModels)).toEqual(expect.arrayContaining(['timeline.entries', 'customer_profiles.profiles', 'consents.history', 'cases.cases', 'privacy_audit.access_log']));
    // Every event of the customer and its loyalty decisions is one timeline entry.
    expect(document.readModels['timeline.entries']).toHaveLength(7);
    // Its identity: what it was seen as, and (by the survivor's side of the row) the customer merged into it.
    expect(document.readModels['identities.identifiers']).toEqual([
      { kind: 'email', value: 'ada@work.example', customer_id: 'p-yes', position: expect.any(Number) },
      { kind: 'email', value: 'yes@example.com', customer_id: 'p-yes', position: expect.any(Number) },
    ]);
    expect(document.readModels['identities.merges']).toEqual([{ customer_id: 'p-no', into_id: 'p-yes', reason: 'Same household account', position: expect.any(Number) }]);
    expect(document.readModels['cases.cases']).toEqual([expect.objectContaining({ case_id: 'complaint-cmp-p', customer_id: 'p-yes' })]);
    const audit = await app.call('GET', '/v1/admin/audit?customerId=p-yes&limit=1', 'admin');
    expect(audit.body.entries[0]).toMatchObject({ route: '/v1/customers/:customerId/export', role: 'admin' });

    expect((await app.call('GET', '/v1/customers/p-yes/export', 'support')).status).toBe(403);
    const unknown = await app.call('GET', '/v1/customers/p-nobody/export', 'admin');
    expect(unknown).toMatchObject({ status: 404, type: expect.stringMatching(/^application\/problem\+json/) });
    expect(unknown.body.detail).toBe("No customer 'p-nobody' is known.");
  });
});
