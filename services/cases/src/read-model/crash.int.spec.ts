import { join } from 'node:path';
import { fromRecordedEvent, streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import { CRASH_BATCH_SIZE, killAtCrashPoint, openCrashTestbed, type CrashTestbed } from '@rapport/testing';
import type { CaseEvent } from '../case/state';
import { defaultPolicy } from '../sla/policy';
import { caseIdOf, caseRow, casesProjection, READ_MODEL_NAME } from './projection';

const COMPLAINTS = 40;
const policy = defaultPolicy();

/** Forty complaints, each filed, answered, replied to by the customer, resolved and rated: 200 events, four batches. */
function story(): (Envelope<string, unknown> & { customerId: string })[] {
  const events: (Envelope<string, unknown> & { customerId: string })[] = [];
  let sequence = 0;
  const fact = (type: string, customerId: string, occurredAt: string, data: Record<string, unknown>) =>
    events.push({ id: `41000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`, type, version: 1, customerId, occurredAt, source: 'desk', data });
  for (let n = 0; n < COMPLAINTS; n++) {
    const complaintId = `cmp-${n}`;
    const customer = `c-${n % 7}`;
    const day = `2027-03-${String(1 + (n % 28)).padStart(2, '0')}`;
    fact('ComplaintFiled', customer, `${day}T09:00:00Z`, { complaintId, category: 'delivery', severity: n % 2 ? 'high' : 'low', channel: 'email', summary: 'Late' });
    fact('ComplaintResponded', customer, `${day}T10:00:00Z`, { complaintId, message: 'Sorry', awaitingCustomer: n % 3 === 0 });
    fact('MessageSent', customer, `${day}T11:00:00Z`, { channel: 'email', direction: 'inbound', complaintId });
    fact('ComplaintResolved', customer, `${day}T16:00:00Z`, { complaintId, resolution: 'Refunded' });
    fact('FeedbackGiven', customer, `${day}T18:00:00Z`, { rating: 1 + (n % 5), complaintId });
  }
  return events;
}

describe('cases projection killed between its writes and its commit', () => {
  let bed: CrashTestbed;

  beforeAll(async () => {
    bed = await openCrashTestbed('cases_crash');
    for (const event of story()) await bed.store.append(streamIdFor(event), [toStoredEvent(event, event.occurredAt)]);
  });

  afterAll(() => bed.close());

  it('holds every event once after a restart, and every case equals a fold of its events', async () => {
    const stored = (await bed.store.readAll()).map((event) => fromRecordedEvent(event));
    const caseEventsIn = (batches: number) => stored.slice(0, batches * CRASH_BATCH_SIZE).filter((event) => caseIdOf(event)).length;
    const { [READ_MODEL_NAME]: report } = await killAtCrashPoint(join(__dirname, 'crash-projector.ts'), bed.database.url, 3);
    // Inside the dying transaction three batches were in the history; two were committed.
    expect(report.history).toBe(caseEventsIn(3));
    const committed = await bed.pool.query<{ history: number }>('SELECT count(*)::int AS history FROM cases.case_events');
    expect(committed.rows[0].history).toBe(caseEventsIn(2));

    await bed.catchUp([casesProjection(policy)]);

    const counts = await bed.pool.query(`SELECT (SELECT count(*) FROM cases.case_events)::int AS history, (SELECT count(*) FROM cases.feedback)::int AS feedback, (SELECT count(*) FROM cases.cases)::int AS cases`);
    expect(counts.rows[0]).toEqual({ history: caseEventsIn(4), feedback: COMPLAINTS, cases: COMPLAINTS });

    const byCase = new Map<string, CaseEvent[]>();
    for (const event of [...stored].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt) || a.position - b.position)) {
      const caseId = caseIdOf(event);
      if (caseId) byCase.set(caseId, [...(byCase.get(caseId) ?? []), { ...event } as CaseEvent]);
    }
    const expected = [...byCase].map(([caseId, list]) => caseRow(caseId, list, policy)).sort((a, b) => String(a.case_id).localeCompare(String(b.case_id)));
    const actual = (await bed.pool.query('SELECT * FROM cases.cases ORDER BY case_id')).rows;
    expect(actual.map((row) => [row.case_id, row.status, row.flags, row.clocks])).toEqual(expected.map((row) => [row.case_id, row.status, row.flags, JSON.parse(JSON.stringify(row.clocks))]));
  });
});
