import { MERGES_STREAM, toStoredEvent, type Envelope } from '@rapport/contracts';
import { orderPlaced, registered, startSegmentsKit, type Fact, type SegmentsKit } from '../segments-test-kit';
import { SNAPSHOT_SCHEMA } from './schema';

const AS_OF = '2011-06-30T12:00:00.000Z';

jest.setTimeout(60_000);

describe('segments follow merges and unmerges', () => {
  let kit: SegmentsKit;
  let decisions = 0;

  beforeAll(async () => {
    kit = await startSegmentsKit('segments_merges');
    const facts: Fact[] = [];
    // Twenty customers of one to four orders, so the scores have something to rank against.
    for (let c = 0; c < 20; c++) {
      facts.push(registered(`m${c}`, '2010-01-01T00:00:00Z'));
      for (let o = 0; o <= c % 4; o++) facts.push(orderPlaced(`m${c}`, `m${c}-o${o}`, `2010-0${1 + o}-1${c % 10}T10:00:00Z`, 1000 + 250 * c));
    }
    // The second account: two recent orders the survivor (one old order) should get.
    facts.push(registered('dup', '2011-01-01T00:00:00Z'), orderPlaced('dup', 'dup-o1', '2011-05-01T10:00:00Z', 4000), orderPlaced('dup', 'dup-o2', '2011-06-01T10:00:00Z', 6000));
    await kit.emit(facts);
    await kit.segments.projections.settled();
  });

  afterAll(() => kit.close());

  async function decide(type: 'CustomersMerged' | 'CustomersUnmerged', data: unknown): Promise<void> {
    const envelope = { id: `30000000-0000-4000-8000-${String(++decisions).padStart(12, '0')}`, type, version: 1, customerId: 'dup', occurredAt: AS_OF, source: 'rapport-identity', data };
    await kit.store.append(MERGES_STREAM, [toStoredEvent(envelope as Envelope<string, unknown>, AS_OF)]);
    await kit.segments.projections.settled();
  }

  async function snapshotRows(): Promise<Record<string, unknown>[]> {
    await kit.segments.recompute(AS_OF);
    const { rows } = await kit.pool.query(`SELECT * FROM ${SNAPSHOT_SCHEMA}.customers WHERE as_of = $1 ORDER BY customer_id`, [AS_OF]);
    return rows;
  }

  it("scores the survivor with the merged customer's orders, and after the unmerge every row is what it was", async () => {
    const before = await snapshotRows();
    const row = (rows: Record<string, unknown>[], id: string) => rows.find((candidate) => candidate.customer_id === id);
    expect(row(before, 'm0')).toMatchObject({ frequency: 1, monetary: '1000' });
    expect(row(before, 'dup')).toMatchObject({ frequency: 2 });

    await decide('CustomersMerged', { into: 'm0', reason: 'same person' });
    const merged = await snapshotRows();
    expect(row(merged, 'dup')).toBeUndefined();
    expect(row(merged, 'm0')).toMatchObject({ frequency: 3, monetary: '11000', recency_days: 29 });
    expect(merged).toHaveLength(before.length - 1);

    await decide('CustomersUnmerged', { from: 'm0' });
    expect(await snapshotRows()).toEqual(before);
  });
});
