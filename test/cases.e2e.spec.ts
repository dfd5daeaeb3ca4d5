import { parsePolicy } from '@rapport/cases';
import { startCasesTestApp, type CasesTestApp } from './support/cases-app';

// Monday 2030-03-04 in London (GMT); 09:00–17:00 on weekdays.
const POLICY = parsePolicy(`
version: e2e-1
timeZone: Europe/London
businessHours: { mon: ["09:00", "17:00"], tue: ["09:00", "17:00"], wed: ["09:00", "17:00"], thu: ["09:00", "17:00"], fri: ["09:00", "17:00"] }
holidays: []
targets:
  critical: { firstResponse: 1h, nextResponse: 1h, resolution: 8h }
  high: { firstResponse: 4h, nextResponse: 4h, resolution: 24h }
  medium: { firstResponse: 8h, nextResponse: 8h, resolution: 40h }
  low: { firstResponse: 16h, nextResponse: 16h, resolution: 80h }
`);

const CUSTOMER = 'c-cases-e2e';
let sequence = 0;
const eventId = () => `30000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
const fact = (type: string, occurredAt: string, data: Record<string, unknown>, customerId = CUSTOMER) => ({ id: eventId(), type, customerId, occurredAt, source: 'support-desk', data });

describe('cases, end to end (ingest, timeline, loyalty and cases in one app)', () => {
  let app: CasesTestApp;
  const key = (name: string) => ({ 'idempotency-key': name });
  const emit = async (event: unknown) => {
    const answer = await app.call('POST', '/v1/events', 'emitter', event);
    expect(answer.status).toBe(201);
  };

  beforeAll(async () => {
    app = await startCasesTestApp('cases_e2e', { now: '2030-03-04T09:00:00Z', policy: POLICY });
  }, 60_000);

  afterAll(async () => {
    await app?.close();
  });

  it('a complaint filed through ingest, answered late, escalated and resolved with points, then rated: history, clocks, breach, metrics, timeline and loyalty agree', async () => {
    await emit(fact('ComplaintFiled', '2030-03-04T09:00:00Z', { complaintId: 'cmp-e2e', category: 'delivery', severity: 'high', channel: 'email', summary: 'Parcel never came' }));
    await app.settled();

    // Nothing is due a minute before the 4-hour first-response target (13:00); at 14:00 it has passed unanswered.
    app.clock.set('2030-03-04T12:59:00Z');
    expect(await app.cases.scheduler.runDue()).toEqual({ breaches: 0, feedbackRequests: 0, followUps: 0, withdrawals: 0 });
    app.clock.set('2030-03-04T14:00:00Z');
    expect(await app.cases.scheduler.runDue()).toEqual({ breaches: 1, feedbackRequests: 0, followUps: 0, withdrawals: 0 });
    expect(await app.cases.scheduler.runDue()).toEqual({ breaches: 0, feedbackRequests: 0, followUps: 0, withdrawals: 0 });
    await app.settled();

    const answered = await app.call('POST', '/v1/complaints/cmp-e2e/responses', 'support', { message: 'Could you send the tracking number?', channel: 'email', awaitingCustomer: true }, key('r-1'));
    expect(answered.status).toBe(201);
    expect(answered.body).toMatchObject({ caseId: 'complaint-cmp-e2e', status: 'responded', replayed: false });
    const again = await app.call('POST', '/v1/complaints/cmp-e2e/responses', 'support', { message: 'Could you send the tracking number?', channel: 'email', awaitingCustomer: true }, key('r-1'));
    expect(again.body).toMatchObject({ status: 'responded', replayed: true, eventIds: answered.body.eventIds });

    app.clock.set('2030-03-05T10:00:00Z');
    await emit(fact('MessageSent', '2030-03-05T10:00:00Z', { channel: 'email', direction: 'inbound', subject: 'Tracking number', complaintId: 'cmp-e2e' }));
    app.clock.set('2030-03-05T11:00:00Z');
    expect((await app.call('POST', '/v1/complaints/cmp-e2e/escalations', 'support', { level: 1, reason: 'Refund above agent limit' }, key('e-1'))).status).toBe(201);
    await app.settled();

    // Two staff resolve at once: one wins, the other is told the complaint is resolved.
    app.clock.set('2030-03-05T12:00:00Z');
    const resolutions = await Promise.all(
      ['a', 'b'].map((who) => app.call('POST', '/v1/complaints/cmp-e2e/resolution', 'support', { resolution: `Refunded by ${who}`, compensationPoints: 250 }, key(`resolve-${who}`))),
    );
    expect(resolutions.map((r) => r.status).sort()).toEqual([201, 409]);
    const refused = resolutions.find((r) => r.status === 409)!;
    expect(refused.type).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ status: 409, caseKind: 'complaint', caseId: 'cmp-e2e', state: 'resolved' });
    expect(refused.body.detail).toBe("The complaint 'cmp-e2e' is resolved; it cannot be resolved: it is already resolved.");
    await app.settled();

    app.clock.set('2030-03-05T12:05:00Z');
    expect(await app.cases.scheduler.runDue()).toEqual({ breaches: 0, feedbackRequests: 1, followUps: 0, withdrawals: 0 });
    await app.settled();
    expect(await app.cases.scheduler.runDue()).toEqual({ breaches: 0, feedbackRequests: 0, followUps: 0, withdrawals: 0 });
    await emit(fact('FeedbackGiven', '2030-03-05T15:00:00Z', { rating: 5, nps: 10, complaintId: 'cmp-e2e' }));
    await app.settled();

    const details = await app.call('GET', '/v1/cases/complaint-cmp-e2e', 'support');
    expect(details.status).toBe(200);
    expect(details.body).toMatchObject({ kind: 'complaint', id: 'cmp-e2e', customerId: CUSTOMER, status: 'resolved', severity: 'high', escalationLevel: 1, breached: true, flags: [] });
    expect(details.body.history.map((h: { type: string; data: { metric?: string; direction?: string } }) => [h.type, h.data.metric ?? h.data.direction ?? null])).toEqual([
      ['ComplaintFiled', null],
      ['SlaBreached', 'first_response'],
      ['ComplaintResponded', null],
      ['MessageSent', 'inbound'],
      ['ComplaintEscalated', null],
      ['ComplaintResolved', null],
      ['MessageSent', 'outbound'],
      ['FeedbackGiven', null],
    ]);
    expect(details.body.history[2].actor).toMatchObject({ name: 'support-key' });
    expect(details.body.feedback).toEqual([{ rating: 5, nps: 10, givenAt: '2030-03-05T15:00:00.000Z' }]);
    const clocks = details.body.clocks;
    expect(clocks.firstResponse).toMatchObject({ dueAt: '2030-03-04T13:00:00.000Z', stoppedAt: '2030-03-04T14:00:00.000Z', met: false, businessMinutes: 300 });
    // Mon 09:00 → Tue 12:00 is 11 business hours, 4 of them waiting on the customer (Mon 14–17, Tue 09–10).
    expect(clocks.resolution).toMatchObject({ stoppedAt: '2030-03-05T12:00:00.000Z', met: true, businessMinutes: 420, paused: false });
    expect(clocks.nextResponses).toEqual([expect.objectContaining({ startedAt: '2030-03-05T10:00:00.000Z', stoppedAt: '2030-03-05T12:00:00.000Z', met: true })]);

    const own = await app.store.readStream('complaint-cmp-e2e');
    expect(own.map((event) => event.type)).toEqual(['SlaBreached', 'ComplaintResponded', 'ComplaintEscalated', 'ComplaintResolved']);
    expect(own[0].data).toEqual({ caseKind: 'complaint', caseId: 'cmp-e2e', metric: 'first_response', dueAt: '2030-03-04T13:00:00.000Z', at: '2030-03-04T14:00:00.000Z' });

    const metrics = await app.call('GET', '/v1/service/metrics?from=2030-03-01T00:00:00Z&to=2030-04-01T00:00:00Z&groupBy=month', 'analyst');
    expect(metrics.status).toBe(200);
    expect(metrics.body.groups).toEqual([
      expect.objectContaining({
        key: '2030-03',
        complaintsOpened: 1,
        complaintsResolved: 1,
        breachedCases: 1,
        firstResponse: { measured: 1, met: 0, attainment: 0, businessMinutes: { p50: 300, p90: 300 }, calendarMinutes: { p50: 300, p90: 300 } },
        resolution: expect.objectContaining({ measured: 1, met: 1, attainment: 1, businessMinutes: { p50: 420, p90: 420 } }),
        csat: { ratings: 1, score: 100 },
        nps: { answers: 1, score: 100 },
      }),
    ]);
    expect(JSON.stringify(metrics.body)).not.toContain(CUSTOMER);

    const timeline = await app.call('GET', `/v1/customers/${CUSTOMER}/timeline`, 'support');
    expect(timeline.status).toBe(200);
    const summaries = timeline.body.entries.map((entry: { summary: string }) => entry.summary);
    expect(summaries).toEqual(
      expect.arrayContaining([
        'SLA breached: first response on complaint cmp-e2e (due 2030-03-04 13:00 UTC)',
        'Complaint cmp-e2e answered by email',
        'Complaint cmp-e2e escalated to level 1',
        'Complaint cmp-e2e resolved',
        'Email sent: How did we do?',
        'Feedback: 5/5, NPS 10 on complaint cmp-e2e',
      ]),
    );

    await app.loyalty.scheduler.runDue();
    await app.settled();
    const balance = await app.call('GET', `/v1/customers/${CUSTOMER}/loyalty`, 'support');
    expect(balance.status).toBe(200);
    expect(balance.body.available + balance.body.pending).toBe(250);
  });

  it('callbacks: a retention request lands in the queue with its reason; scheduled, completed with follow_up_needed, the follow-up opens', async () => {
    app.clock.set('2030-03-06T08:00:00Z');
    await emit(fact('CallbackRequested', '2030-03-06T08:00:00Z', { callbackId: 'cb-ret', reason: 'retention', phone: '+447700900123', preferredWindow: { from: '09:00', to: '12:00' } }));
    await app.settled();
    const queue = await app.call('GET', '/v1/cases?kind=callback&status=requested', 'support');
    expect(queue.body.items).toEqual([expect.objectContaining({ caseId: 'callback-cb-ret', reason: 'retention', status: 'requested', dueAt: '2030-03-06T12:00:00.000Z', dueMetric: 'callback' })]);

    expect((await app.call('POST', '/v1/callbacks/cb-ret/completion', 'support', { outcome: 'resolved' }, key('c-early'))).body).toMatchObject({ status: 409, state: 'requested' });
    const scheduled = await app.call('POST', '/v1/callbacks/cb-ret/schedule', 'support', { scheduledFor: '2030-03-06T10:00:00Z', assigneeId: 'agent-5' }, key('s-1'));
    expect(scheduled.body).toMatchObject({ status: 'scheduled', revision: 0 });
    app.clock.set('2030-03-06T10:10:00Z');
    const completed = await app.call('POST', '/v1/callbacks/cb-ret/completion', 'support', { outcome: 'follow_up_needed', durationSeconds: 240, notes: 'Wants a call from a manager' }, key('c-1'));
    expect(completed.status).toBe(201);
    expect(completed.body.eventIds).toHaveLength(2);
    await app.settled();
    const open = await app.call('GET', '/v1/cases?kind=callback', 'support');
    expect(open.body.items.map((item: { status: string; reason: string }) => [item.status, item.reason])).toEqual([
      ['requested', 'Follow-up of callback cb-ret'],
      ['completed', 'retention'],
    ]);
    const original = await app.call('GET', '/v1/cases/callback-cb-ret', 'support');
    expect(original.body.clocks.callback).toMatchObject({ met: true, stoppedAt: '2030-03-06T10:10:00.000Z' });
    expect(original.body.assigneeId).toBe('agent-5');
  });

  it('a follow_up_needed outcome reported through ingest is recorded as it came, and the scheduler opens the follow-up once', async () => {
    await emit(fact('CallbackRequested', '2030-03-06T08:30:00Z', { callbackId: 'cb-desk', reason: 'Delivery question', phone: '+447700900456', preferredWindow: { from: '13:00', to: '15:00' } }));
    await emit(fact('CallbackCompleted', '2030-03-06T13:30:00Z', { callbackId: 'cb-desk', outcome: 'follow_up_needed' }));
    await app.settled();
    const desk = await app.call('GET', '/v1/cases/callback-cb-desk', 'support');
    // Completed without being scheduled: kept, and flagged.
    expect(desk.body).toMatchObject({ status: 'completed', flags: ['CallbackCompleted at 2030-03-06T13:30:00.000Z while requested: it is not scheduled yet'] });
    app.clock.set('2030-03-06T13:35:00Z');
    expect(await app.cases.scheduler.runDue()).toMatchObject({ followUps: 1 });
    await app.settled();
    expect(await app.cases.scheduler.runDue()).toMatchObject({ followUps: 0 });
    const followUps = (await app.call('GET', '/v1/cases?kind=callback&status=requested', 'support')).body.items.filter((item: { reason: string }) => item.reason === 'Follow-up of callback cb-desk');
    expect(followUps).toEqual([expect.objectContaining({ customerId: CUSTOMER, dueAt: '2030-03-06T15:00:00.000Z' })]);
  });

  it('If-Match with a stale revision is a 409; the current one acts', async () => {
    await emit(fact('ComplaintFiled', '2030-03-06T09:00:00Z', { complaintId: 'cmp-pin', category: 'billing', severity: 'low', channel: 'web', summary: 'Charged twice' }));
    await app.settled();
    const first = await app.call('POST', '/v1/complaints/cmp-pin/assignment', 'support', { assigneeId: 'agent-1' }, { ...key('pin-1'), 'if-match': '-1' });
    expect(first.body).toMatchObject({ revision: 0 });
    const stale = await app.call('POST', '/v1/complaints/cmp-pin/responses', 'support', { message: 'On it' }, { ...key('pin-2'), 'if-match': '-1' });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toMatch(/it is at revision 0, not -1/);
    expect((await app.call('POST', '/v1/complaints/cmp-pin/responses', 'support', { message: 'On it' }, { ...key('pin-3'), 'if-match': '0' })).status).toBe(201);
  });

  it('a resolved complaint of a customer who withdrew service consent gets no feedback request', async () => {
    await emit(fact('ConsentChanged', '2030-03-01T09:00:00Z', { purpose: 'service', channel: 'email', granted: false }, 'c-no-contact'));
    await emit(fact('ComplaintFiled', '2030-03-06T09:00:00Z', { complaintId: 'cmp-quiet', category: 'product', severity: 'low', channel: 'web', summary: 'Scratched' }, 'c-no-contact'));
    await app.settled();
    for (const [path, body] of [['responses', { message: 'Sorry' }], ['resolution', { resolution: 'Replaced' }]] as const) {
      expect((await app.call('POST', `/v1/complaints/cmp-quiet/${path}`, 'support', body, key(`quiet-${path}`))).status).toBe(201);
    }
    await app.settled();
    expect((await app.cases.scheduler.runDue()).feedbackRequests).toBe(0);
    expect((await app.store.readStream('customer-c-no-contact')).map((event) => event.type)).toEqual(['ConsentChanged', 'ComplaintFiled']);
  });

  it('pages the queue by due instant with a cursor', async () => {
    const all = await app.call('GET', '/v1/cases?limit=100', 'support');
    const pages: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { caseId: string }[]; nextCursor: string | null } } = (await app.call('GET', `/v1/cases?limit=2${cursor ? `&cursor=${cursor}` : ''}`, 'support')) as never;
      pages.push(...page.body.items.map((item) => item.caseId));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual(all.body.items.map((item: { caseId: string }) => item.caseId));
    expect(pages.length).toBeGreaterThanOrEqual(5);
    const dues = all.body.items.map((item: { dueAt: string | null }) => item.dueAt ?? '9999');
    expect(dues).toEqual([...dues].sort());
    expect((await app.call('GET', '/v1/cases?breached=true', 'support')).body.items.map((item: { caseId: string }) => item.caseId)).toContain('complaint-cmp-e2e');
  });

  it('staff file a complaint and open a callback from the console; two filings of one id → one 201, one 409', async () => {
    app.clock.set('2030-03-06T13:00:00Z');
    const filed = await app.call('POST', '/v1/complaints', 'support', { customerId: 'c-console', category: 'refund', severity: 'critical', channel: 'phone', summary: 'Refund missing' }, key('console-1'));
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ kind: 'complaint', status: 'open', revision: 0 });
    expect(filed.body.caseId).toMatch(/^complaint-cmp-[0-9a-f-]{36}$/);
    const twice = await Promise.all(
      ['x', 'y'].map((k) => app.call('POST', '/v1/complaints', 'support', { complaintId: 'cmp-twice', customerId: 'c-console', category: 'refund', severity: 'low', channel: 'web', summary: 'Twice' }, key(`twice-${k}`))),
    );
    expect(twice.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(twice.find((r) => r.status === 409)!.body.detail).toBe("The complaint 'cmp-twice' is open; it cannot be filed: it was already filed.");
    const callback = await app.call('POST', '/v1/callbacks', 'support', { customerId: 'c-console', reason: 'Refund question', phone: '+447700900999', preferredWindow: { from: '14:00', to: '16:00', date: '2030-03-06' } }, key('console-cb'));
    expect(callback.body).toMatchObject({ kind: 'callback', status: 'requested' });
    await app.settled();
    const queue = await app.call('GET', '/v1/cases?customerId=c-console', 'support');
    expect(queue.body.items.map((item: { kind: string; severity: string | null; dueAt: string; dueMetric: string }) => [item.kind, item.severity, item.dueAt, item.dueMetric])).toEqual([
      // critical: first response 1 business hour after 13:00
      ['complaint', 'critical', '2030-03-06T14:00:00.000Z', 'first_response'],
      ['callback', null, '2030-03-06T16:00:00.000Z', 'callback'],
      // low: 16 business hours from Wednesday 13:00 is Friday 13:00
      ['complaint', 'low', '2030-03-08T13:00:00.000Z', 'first_response'],
    ]);
    const bySeverity = await app.call('GET', '/v1/service/metrics?from=2030-03-06T00:00:00Z&to=2030-03-07T00:00:00Z&groupBy=severity', 'analyst');
    expect(bySeverity.body.groups.map((g: { key: string; complaintsOpened: number }) => [g.key, g.complaintsOpened])).toEqual([
      ['critical', 1],
      ['low', 3],
      ['none', 0],
    ]);
  });

  it("the customer profile's open complaints and pending callbacks are the cases model's (one truth)", async () => {
    await emit(fact('ComplaintFiled', '2030-03-06T11:00:00Z', { complaintId: 'cmp-new', category: 'website', severity: 'medium', channel: 'chat', summary: 'Checkout broken' }));
    await app.settled();
    const profile = await app.call('GET', `/v1/customers/${CUSTOMER}`, 'support');
    expect(profile.status).toBe(200);
    // 'open' is the cases model's word; the profile's own rows would say 'filed'.
    expect(profile.body.openComplaints.map((c: { complaintId: string; status: string }) => [c.complaintId, c.status])).toEqual([
      ['cmp-pin', 'responded'],
      ['cmp-new', 'open'],
    ]);
    expect(profile.body.pendingCallbacks).toEqual([
      expect.objectContaining({ status: 'requested', requestedAt: '2030-03-06T10:10:00.000Z', preferredWindow: { from: '09:00', to: '12:00' } }),
      expect.objectContaining({ status: 'requested', requestedAt: '2030-03-06T13:35:00.000Z', preferredWindow: { from: '13:00', to: '15:00' } }),
    ]);
  });

  it('breaches are what the SlaBreached events say: a late answer withdraws a recorded breach, and the case, metrics and timeline agree', async () => {
    const customer = 'c-late-answer';
    const day = '?from=2030-03-11T00:00:00Z&to=2030-03-12T00:00:00Z&groupBy=day';
    const breachEvents = async () =>
      app.cases.db.query(`SELECT type, count(*)::int AS n FROM cases.case_events WHERE case_id IN ('complaint-cmp-slow', 'complaint-cmp-late') AND type LIKE 'SlaBreach%' GROUP BY type ORDER BY type`);
    const group = async () => (await app.call('GET', `/v1/service/metrics${day}`, 'analyst')).body.groups[0];
    // Monday 2030-03-11, high severity: first response due 13:00.
    await emit(fact('ComplaintFiled', '2030-03-11T09:00:00Z', { complaintId: 'cmp-slow', category: 'delivery', severity: 'high', channel: 'email', summary: 'Late' }, customer));
    await emit(fact('ComplaintFiled', '2030-03-11T09:00:00Z', { complaintId: 'cmp-late', category: 'delivery', severity: 'high', channel: 'email', summary: 'Late too' }, customer));
    await app.settled();

    // Answered after the due instant, before any scheduler run: missed, but no breach is on record yet.
    app.clock.set('2030-03-11T14:00:00Z');
    expect((await app.call('POST', '/v1/complaints/cmp-slow/responses', 'support', { message: 'Sorry for the wait' }, key('slow-1'))).status).toBe(201);
    await app.settled();
    expect(await breachEvents()).toEqual([]);
    expect((await app.call('GET', '/v1/cases/complaint-cmp-slow', 'support')).body).toMatchObject({ breached: false, clocks: { firstResponse: { met: false } } });
    expect(await group()).toMatchObject({ complaintsOpened: 2, breachedCases: 0, breaches: 0, firstResponse: { measured: 1, met: 0 } });

    await app.cases.scheduler.runDue();
    await app.settled();
    expect(await breachEvents()).toEqual([{ type: 'SlaBreached', n: 2 }]);
    expect(await group()).toMatchObject({ breachedCases: 2, breaches: 2 });

    // The desk's answer to cmp-late at 12:30 arrives only now: the breach recorded at 13:00 no longer stands.
    await emit(fact('ComplaintResponded', '2030-03-11T12:30:00Z', { complaintId: 'cmp-late', message: 'On it' }, customer));
    await app.settled();
    expect((await app.call('GET', '/v1/cases/complaint-cmp-late', 'support')).body.clocks.firstResponse).toMatchObject({ met: true, stoppedAt: '2030-03-11T12:30:00.000Z' });
    app.clock.set('2030-03-11T14:05:00Z');
    expect(await app.cases.scheduler.runDue()).toMatchObject({ withdrawals: 1 });
    await app.settled();
    expect(await app.cases.scheduler.runDue()).toMatchObject({ withdrawals: 0 });

    const late = (await app.call('GET', '/v1/cases/complaint-cmp-late', 'support')).body;
    expect(late.breached).toBe(false);
    expect(late.clocks.breaches).toEqual([]);
    expect(late.history.map((h: { type: string }) => h.type)).toEqual(['ComplaintFiled', 'ComplaintResponded', 'SlaBreached', 'SlaBreachWithdrawn']);
    expect(late.history[3].data).toEqual({
      caseKind: 'complaint', caseId: 'cmp-late', metric: 'first_response', dueAt: '2030-03-11T13:00:00.000Z', at: '2030-03-11T14:05:00.000Z', reason: 'met: stopped at 2030-03-11T12:30:00.000Z',
    });
    expect(await breachEvents()).toEqual([{ type: 'SlaBreachWithdrawn', n: 1 }, { type: 'SlaBreached', n: 2 }]);
    expect(await group()).toMatchObject({ breachedCases: 1, breaches: 1, firstResponse: { measured: 2, met: 1 } });
    const breachedQueue = (await app.call('GET', `/v1/cases?customerId=${customer}&breached=true`, 'support')).body.items;
    expect(breachedQueue.map((item: { id: string }) => item.id)).toEqual(['cmp-slow']);

    const timeline = await app.call('GET', `/v1/customers/${customer}/timeline`, 'support');
    expect(timeline.body.entries.map((entry: { summary: string }) => entry.summary)).toEqual(
      expect.arrayContaining([
        'SLA breached: first response on complaint cmp-late (due 2030-03-11 13:00 UTC)',
        'SLA breach withdrawn: first response on complaint cmp-late (due 2030-03-11 13:00 UTC; met: stopped at 2030-03-11T12:30:00.000Z)',
      ]),
    );
  });

  describe('bad input (the README table): a clear 4xx problem, never a 5xx', () => {
    const huge = 'x'.repeat(4001);
    const rows: [string, string, string, number, unknown, Record<string, string>, RegExp | string][] = [
      ['unknown case', 'POST', '/v1/complaints/cmp-nobody/responses', 404, { message: 'Hi' }, key('b-1'), "No complaint 'cmp-nobody' is known."],
      ['unknown case (read)', 'GET', '/v1/cases/complaint-cmp-nobody', 404, undefined, {}, "No complaint 'cmp-nobody' is known."],
      ['case id without its kind', 'GET', '/v1/cases/cmp-e2e', 400, undefined, {}, /^id: must be complaint-<id> or callback-<id>/],
      ['wrong state', 'POST', '/v1/complaints/cmp-e2e/resolution', 409, { resolution: 'Again' }, key('b-2'), "The complaint 'cmp-e2e' is resolved; it cannot be resolved: it is already resolved."],
      ['wrong state (callback)', 'POST', '/v1/callbacks/cb-ret/cancellation', 409, {}, key('b-3'), "The callback 'cb-ret' is completed; it cannot be cancelled: it is closed."],
      ['bad time', 'POST', '/v1/callbacks/cb-ret/schedule', 400, { scheduledFor: 'tomorrow at ten' }, key('b-4'), /^scheduledFor: /],
      ['bad time (metrics range)', 'GET', '/v1/service/metrics?from=2030-04-01T00:00:00Z&to=2030-03-01T00:00:00Z', 400, undefined, {}, 'to: must be later than from'],
      ['bad time (queue)', 'GET', '/v1/cases?dueBefore=soon', 400, undefined, {}, /^dueBefore: /],
      ['huge notes', 'POST', '/v1/callbacks/cb-ret/completion', 400, { outcome: 'resolved', notes: huge }, key('b-5'), /^notes: /],
      ['huge message', 'POST', '/v1/complaints/cmp-pin/responses', 400, { message: 'y'.repeat(5000) }, key('b-6'), /^message: /],
      ['missing idempotency key', 'POST', '/v1/complaints/cmp-pin/responses', 400, { message: 'Hi' }, {}, /^Idempotency-Key: required/],
      ['unknown field', 'POST', '/v1/complaints/cmp-pin/escalations', 400, { level: 2, urgency: 'very' }, key('b-7'), 'urgency: unknown field'],
      ['escalation level out of range', 'POST', '/v1/complaints/cmp-pin/escalations', 400, { level: 9 }, key('b-8'), /^level: /],
      ['bad cursor', 'GET', '/v1/cases?cursor=not-a-cursor', 400, undefined, {}, 'cursor: must be the nextCursor of a previous page'],
      ['bad If-Match', 'POST', '/v1/complaints/cmp-pin/responses', 400, { message: 'Hi' }, { ...key('b-9'), 'if-match': 'yesterday' }, /^If-Match: /],
      ['idempotency key reused with another body', 'POST', '/v1/complaints/cmp-e2e/responses', 409, { message: 'Something else' }, key('r-1'),
        "The Idempotency-Key 'r-1' was first used on the complaint 'cmp-e2e' for another command (ComplaintResponded); use a new key for a new command."],
      ['idempotency key reused for another command', 'POST', '/v1/complaints/cmp-e2e/reopen', 409, {}, key('r-1'),
        "The Idempotency-Key 'r-1' was first used on the complaint 'cmp-e2e' for another command (ComplaintResponded); use a new key for a new command."],
      ['not JSON', 'POST', '/v1/complaints/cmp-pin/responses', 400, '{"message":', key('b-10'), /JSON/],
    ];
    it.each(rows)('%s → %s %s is %i', async (_what, method, path, status, body, headers, detail) => {
      const answer = await app.call(method, path, 'support', body, headers);
      expect(answer.status).toBe(status);
      expect(answer.type).toContain('application/problem+json');
      if (typeof detail === 'string') expect(answer.body.detail).toBe(detail);
      else expect(answer.body.detail).toMatch(detail);
    });

    it('roles: analysts read metrics but may not act or read cases; emitters may not read metrics', async () => {
      expect((await app.call('POST', '/v1/complaints/cmp-pin/responses', 'analyst', { message: 'Hi' }, key('r-a'))).status).toBe(403);
      expect((await app.call('GET', '/v1/cases', 'analyst')).status).toBe(403);
      expect((await app.call('GET', '/v1/service/metrics?from=2030-03-01T00:00:00Z&to=2030-04-01T00:00:00Z', 'emitter')).status).toBe(403);
    });

    it('emitters cannot forge a breach through ingest', async () => {
      const forged = await app.call('POST', '/v1/events', 'emitter', fact('SlaBreached', '2030-03-06T09:00:00Z', { caseKind: 'complaint', caseId: 'cmp-pin', metric: 'resolution', dueAt: '2030-03-06T09:00:00Z', at: '2030-03-06T09:00:00Z' }));
      expect(forged.status).toBe(400);
      expect(forged.body.errors).toEqual([{ path: 'type', message: 'SlaBreached is decided by the cases service and cannot be emitted' }]);
    });
  });
});
