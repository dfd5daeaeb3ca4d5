import { fromRecordedEvent, streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { Pool } from 'pg';
import type { CaseEvent } from '../case/state';
import { startCases, type Cases } from '../cases';
import { computeClocks } from '../sla/clocks';
import { defaultPolicy } from '../sla/policy';
import { caseIdOf, caseRow, casesProjection } from './projection';
import { readCase } from './queries';

const policy = defaultPolicy();
let sequence = 0;
const fact = (type: string, customerId: string, occurredAt: string, data: Record<string, unknown>) =>
  ({ id: `40000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`, type, version: 1, customerId, occurredAt, source: 'desk', data }) as Envelope<string, unknown> & { customerId: string };

/** Ten complaints, each filed, answered, asked again and resolved; every third answer arrives late (after the events it precedes). */
function story() {
  const events: ReturnType<typeof fact>[] = [];
  const late: ReturnType<typeof fact>[] = [];
  for (let n = 0; n < 10; n++) {
    const id = `cmp-${n}`;
    const customer = `c-${n % 4}`;
    const day = `2027-02-${String(1 + n).padStart(2, '0')}`;
    events.push(fact('ComplaintFiled', customer, `${day}T09:00:00Z`, { complaintId: id, category: 'delivery', severity: n % 2 ? 'high' : 'low', channel: 'email', summary: 'Late' }));
    const answer = fact('ComplaintResponded', customer, `${day}T10:00:00Z`, { complaintId: id, message: 'Photo please?', awaitingCustomer: true });
    if (n % 3 === 0) late.push(answer);
    else events.push(answer);
    events.push(fact('MessageSent', customer, `${day}T15:00:00Z`, { channel: 'email', direction: 'inbound', complaintId: id }));
    if (n % 2 === 0) events.push(fact('ComplaintResolved', customer, `${day}T16:00:00Z`, { complaintId: id, resolution: 'Refunded' }));
    events.push(fact('FeedbackGiven', customer, `${day}T18:00:00Z`, { rating: 1 + (n % 5), complaintId: id }));
  }
  return { events, late };
}

describe('cases read model', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let cases: Cases;

  const emit = async (events: readonly ReturnType<typeof fact>[]) => {
    for (const event of events) await store.append(streamIdFor(event), [toStoredEvent(event, event.occurredAt)]);
  };
  const rows = () => pool.query('SELECT * FROM cases.cases ORDER BY case_id').then((result) => result.rows);

  beforeAll(async () => {
    database = await createTestDatabase('cases_read_model');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 4, pollIntervalMs: 10 });
    pool = new Pool({ connectionString: database.url, max: 4 });
    // Small batches: a case's events are spread over many transactions.
    cases = await startCases({ store, pool, policy, schedulerIntervalMs: 0, batchSize: 3 });
  });

  afterAll(async () => {
    await cases.stop();
    await Promise.all([store.close(), pool.end()]);
    await database.drop();
  });

  it('late answers recompute the clocks: rows equal a pure fold of each case sorted by occurredAt', async () => {
    const { events, late } = story();
    await emit(events);
    await cases.projections.settled();
    // cmp-3 is unanswered until its late answer arrives; cmp-0 was answered by its resolution.
    const clocksOf = async (caseId: string) => (await pool.query(`SELECT clocks FROM cases.cases WHERE case_id = $1`, [caseId])).rows[0].clocks;
    expect((await clocksOf('complaint-cmp-3')).firstResponse.stoppedAt).toBeNull();
    expect((await clocksOf('complaint-cmp-0')).firstResponse.stoppedAt).toBe('2027-02-01T16:00:00.000Z');
    await emit(late);
    await cases.projections.settled();
    expect((await clocksOf('complaint-cmp-3')).firstResponse).toMatchObject({ stoppedAt: '2027-02-04T10:00:00.000Z', met: true });

    const stored = (await store.readAll()).map((event) => fromRecordedEvent(event));
    const byCase = new Map<string, CaseEvent[]>();
    for (const event of [...stored].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || a.position - b.position)) {
      const caseId = caseIdOf(event);
      if (caseId) byCase.set(caseId, [...(byCase.get(caseId) ?? []), { ...event } as CaseEvent]);
    }
    const expected = [...byCase].map(([caseId, list]) => caseRow(caseId, list, policy)).sort((a, b) => String(a.case_id).localeCompare(String(b.case_id)));
    const actual = await rows();
    expect(actual.map((row) => row.case_id)).toEqual(expected.map((row) => row.case_id));
    expect(actual.map((row) => row.clocks)).toEqual(expected.map((row) => JSON.parse(JSON.stringify(row.clocks))));
    expect(actual.map((row) => [row.status, row.flags])).toEqual(expected.map((row) => [row.status, row.flags]));

    const cmp0 = computeClocks(byCase.get('complaint-cmp-0')!, policy);
    expect(cmp0.firstResponse).toMatchObject({ stoppedAt: '2027-02-01T10:00:00.000Z', met: true });
    // cmp-0 (Monday): resolution paused from the answer 10:00 to the customer's reply 15:00.
    expect(cmp0.resolution).toMatchObject({ met: true, businessMinutes: 7 * 60 - 5 * 60 });
  });

  it('stores a case that spans the whole range ingest accepts (1900 to 9999) instead of parking it', async () => {
    await emit([
      fact('ComplaintFiled', 'c-span', '1900-01-01T00:00:00Z', { complaintId: 'cmp-span', category: 'delivery', severity: 'low', channel: 'email', summary: 'Late' }),
      fact('ComplaintResolved', 'c-span', '9999-12-31T23:59:59Z', { complaintId: 'cmp-span', resolution: 'Refunded' }),
    ]);
    await cases.projections.settled();
    const [status] = await cases.projections.status('cases');
    expect(status.parked).toBe(0);
    const { rows: [row] } = await pool.query(`SELECT status, resolution_calendar_min::float8 AS minutes FROM cases.cases WHERE case_id = 'complaint-cmp-span'`);
    expect(row.status).toBe('resolved');
    expect(row.minutes).toBeGreaterThan(4_000_000_000);
  });

  it("a customer's inbound message naming no complaint counts for each complaint of theirs open then, whatever order it is stored in", async () => {
    const customer = 'c-unlinked';
    // Monday 2027-03-01, high severity (next response within 4 business hours). The message is stored first, the complaints after.
    await emit([fact('MessageSent', customer, '2027-03-01T11:00:00Z', { channel: 'email', direction: 'inbound', subject: 'Any news?' })]);
    await cases.projections.settled();
    await emit([
      fact('ComplaintFiled', customer, '2027-03-01T09:00:00Z', { complaintId: 'cmp-u1', category: 'delivery', severity: 'high', channel: 'email', summary: 'Late' }),
      fact('ComplaintResponded', customer, '2027-03-01T10:00:00Z', { complaintId: 'cmp-u1', message: 'Looking into it' }),
      fact('ComplaintFiled', customer, '2027-03-01T09:30:00Z', { complaintId: 'cmp-u2', category: 'billing', severity: 'high', channel: 'email', summary: 'Charged twice' }),
      fact('ComplaintResponded', customer, '2027-03-01T09:45:00Z', { complaintId: 'cmp-u2', message: 'Refunded' }),
      fact('ComplaintResolved', customer, '2027-03-01T10:30:00Z', { complaintId: 'cmp-u2', resolution: 'Refunded' }),
      // Another customer's message and a campaign reply are not about these complaints.
      fact('MessageSent', 'c-other', '2027-03-01T11:30:00Z', { channel: 'email', direction: 'inbound' }),
      fact('MessageSent', customer, '2027-03-01T11:40:00Z', { channel: 'email', direction: 'inbound', campaign: 'spring' }),
    ]);
    await cases.projections.settled();
    const row = async (caseId: string) => (await pool.query(`SELECT clocks, due_at, due_metric FROM cases.cases WHERE case_id = $1`, [caseId])).rows[0];
    const open = await row('complaint-cmp-u1');
    expect(open.clocks.nextResponses).toEqual([expect.objectContaining({ startedAt: '2027-03-01T11:00:00.000Z', dueAt: '2027-03-01T15:00:00.000Z', stoppedAt: null })]);
    expect([new Date(open.due_at).toISOString(), open.due_metric]).toEqual(['2027-03-01T15:00:00.000Z', 'next_response']);
    // Resolved before the message: nothing to answer.
    expect((await row('complaint-cmp-u2')).clocks.nextResponses).toEqual([]);

    // The answer stops the cycle; the message shows in the case's history.
    await emit([fact('ComplaintResponded', customer, '2027-03-01T12:00:00Z', { complaintId: 'cmp-u1', message: 'Out tomorrow' })]);
    await cases.projections.settled();
    expect((await row('complaint-cmp-u1')).clocks.nextResponses).toEqual([expect.objectContaining({ startedAt: '2027-03-01T11:00:00.000Z', stoppedAt: '2027-03-01T12:00:00.000Z', met: true })]);
    const details = await readCase(cases.db, 'complaint-cmp-u1');
    expect(details.history.map((h) => [h.type, h.occurredAt])).toEqual([
      ['ComplaintFiled', '2027-03-01T09:00:00.000Z'],
      ['ComplaintResponded', '2027-03-01T10:00:00.000Z'],
      ['MessageSent', '2027-03-01T11:00:00.000Z'],
      ['ComplaintResponded', '2027-03-01T12:00:00.000Z'],
    ]);
  });

  it('a rebuild gives the same rows (verify compares a scratch build with the live tables)', async () => {
    const report = await cases.projections.verify('cases');
    expect(report.differences).toEqual([]);
    expect(report.equal).toBe(true);
  });

  it('applying the same events twice changes nothing (a crash between append and checkpoint replays the batch)', async () => {
    const before = await rows();
    const stored = (await store.readAll()).map((event) => fromRecordedEvent(event));
    const projection = casesProjection(policy);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      // Writes go to the live generation's tables, behind the view.
      const [{ schema }] = (await client.query(`SELECT table_schema AS schema FROM information_schema.tables WHERE table_schema LIKE 'cases_g%' AND table_name = 'cases' LIMIT 1`)).rows;
      await projection.apply({ tx: { query: async (text: string, params?: readonly unknown[]) => (await client.query(text, params as unknown[])).rows }, schema: `"${schema}"`, live: false }, stored);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await rows()).toEqual(before);
    const counts = await pool.query(`SELECT (SELECT count(*) FROM cases.case_events)::int AS history, (SELECT count(*) FROM cases.feedback)::int AS feedback`);
    expect(counts.rows[0]).toEqual({ history: stored.filter((event) => caseIdOf(event)).length, feedback: 10 });
  });
});
