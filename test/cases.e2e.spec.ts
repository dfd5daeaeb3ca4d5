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

    // 14:00: the 4-hour first-response target (due 13:00) has passed unanswered.
    app.clock.set('2030-03-04T14:00:00Z');
    expect(await app.cases.scheduler.runDue()).toEqual({ breaches: 1, feedbackRequests: 0 });
    expect(await app.cases.scheduler.runDue()).toEqual({ breaches: 0, feedbackRequests: 0 });
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
    expect(await app.cases.scheduler.runDue()).toEqual({ breaches: 0, feedbackRequests: 1 });
    await app.settled();
    expect(await app.cases.scheduler.runDue()).toEqual({ breaches: 0, feedbackRequests: 0 });
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
});
