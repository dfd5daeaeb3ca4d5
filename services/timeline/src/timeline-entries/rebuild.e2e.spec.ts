import { streamIdFor, toStoredEvent } from '@rapport/contracts';
import type { ProjectionStatus, VerifyReport } from '@rapport/projections';
import type { ProfileSummary } from '../customer-profiles/queries';
import { startTimelineTestApp, type TimelineTestApp } from '../timeline-test-app';
import type { TimelinePage } from './queries';

const WATCHED = 'r-1';
const PAGE = 200;
let sequence = 0;

function order(customerId: string, n: number) {
  const id = `70000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
  const at = new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString();
  return toStoredEvent({ id, type: 'OrderPlaced', version: 1, customerId, occurredAt: at, source: 'shop', data: { orderId: `o-${sequence}`, channel: 'web', currency: 'GBP', total: 100, lines: [{ sku: 'X', quantity: 1, unitPrice: 100 }] } }, at);
}

describe('rebuilding the timeline while events keep arriving', () => {
  let app: TimelineTestApp;

  beforeAll(async () => {
    app = await startTimelineTestApp('timeline_rebuild', { batchSize: 100 });
    // A history worth rebuilding: 3,000 orders over 30 customers.
    for (let round = 0; round < 10; round++) {
      await app.store.appendMany(
        Array.from({ length: 30 }, (_, c) => ({ streamId: streamIdFor({ customerId: `r-${c + 1}` }), expectedRevision: 'any' as const, events: Array.from({ length: 10 }, (__, i) => order(`r-${c + 1}`, round * 10 + i)) })),
      );
    }
    await app.projections.settled();
  });

  afterAll(() => app?.close());

  it('switches over with no gap visible to an API client, and verify finds equal hashes', async () => {
    let writing = true;
    let emitted = 0;
    const writer = (async () => {
      for (let n = 1000; writing; n++) {
        await app.store.append(streamIdFor({ customerId: WATCHED }), [order(WATCHED, n)]);
        emitted++;
      }
    })();

    const problems: string[] = [];
    let reads = 0;
    const reader = (async () => {
      let seen: TimelinePage['entries'] = [];
      let orders = 0;
      while (writing) {
        const { body } = await app.get<TimelinePage>(`/v1/customers/${WATCHED}/timeline?limit=${PAGE}`);
        const ids = new Set(body.entries.map((entry) => entry.eventId));
        // The newest entries: whatever was seen before and is not older than this page's oldest must be here now.
        // Entries that newer ones pushed off the page are not missing: a reader that waited on the switch
        // (or on a busy machine) while the writer went on sees fewer of the old ones, rightly.
        const oldest = body.entries.length < PAGE ? '' : body.entries[body.entries.length - 1].occurredAt;
        const missing = seen.filter((entry) => entry.occurredAt >= oldest && !ids.has(entry.eventId));
        if (missing.length > 0) problems.push(`entries disappeared: ${missing.slice(0, 3).map((entry) => entry.eventId).join(', ')}`);
        seen = body.entries;
        const profile = await app.get<ProfileSummary>(`/v1/customers/${WATCHED}`);
        if (profile.body.orders.count < orders) problems.push(`order count went from ${orders} to ${profile.body.orders.count}`);
        orders = profile.body.orders.count;
        reads++;
      }
    })();

    const started = await app.post<ProjectionStatus>('/v1/admin/projections/timeline/rebuild');
    expect(started.status).toBe(202);
    expect(started.body.rebuild).toMatchObject({ generation: 2, version: 3 });
    expect((await app.post<ProjectionStatus>('/v1/admin/projections/customer-profiles/rebuild')).status).toBe(202);
    await app.projections.rebuildFinished('timeline');
    await app.projections.rebuildFinished('customer-profiles');
    // Keep writing a little after the switch, to see the new generation take new events.
    const afterSwitch = emitted;
    while (emitted < afterSwitch + 20) await new Promise((resolve) => setTimeout(resolve, 10));
    writing = false;
    await Promise.all([writer, reader]);
    await app.projections.settled();

    expect(problems).toEqual([]);
    expect(reads).toBeGreaterThan(1);
    const statuses = (await app.get<{ projections: ProjectionStatus[] }>('/v1/admin/projections', 'admin')).body.projections;
    expect(statuses.map((status) => [status.name, status.generation, status.rebuild, status.lagEvents])).toEqual([
      ['customer-profiles', 2, null, 0],
      // Not rebuilt: still on its first generation.
      ['identities', 1, null, 0],
      ['timeline', 2, null, 0],
    ]);
    const profile = await app.get<ProfileSummary>(`/v1/customers/${WATCHED}`);
    expect(profile.body.orders.count).toBe(100 + emitted);
    const newest = await app.get<TimelinePage>(`/v1/customers/${WATCHED}/timeline?limit=1`);
    expect(newest.body.entries[0].occurredAt).toBe(new Date(Date.UTC(2024, 0, 1, 0, 0, 1000 + emitted - 1)).toISOString());

    for (const name of ['timeline', 'customer-profiles']) {
      const { status, body } = await app.post<VerifyReport>(`/v1/admin/projections/${name}/verify`);
      expect(status).toBe(200);
      expect(body.equal).toBe(true);
      expect(body.scratch.hash).toBe(body.live.hash);
    }
  });
});
