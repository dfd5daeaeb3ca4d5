import { startTimelineTestApp, type EmittedEvent, type TimelineTestApp } from '../timeline-test-app';
import type { SearchPage } from './queries';

let counter = 0;
const registered = (customerId: string, occurredAt: string): EmittedEvent => ({
  id: `70000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
  type: 'CustomerRegistered',
  version: 1,
  customerId,
  occurredAt,
  source: 'shop',
  data: { firstName: 'Ann', lastName: customerId },
});

describe('customer search paging', () => {
  let app: TimelineTestApp;

  beforeAll(async () => {
    app = await startTimelineTestApp('timeline_search');
    // Newest first: ann-1, then ann-2 and ann-3 seen at the same instant, then ann-4, ann-5.
    await app.emit([
      registered('ann-5', '2024-01-01T00:00:00Z'),
      registered('ann-4', '2024-01-02T00:00:00Z'),
      registered('ann-3', '2024-01-03T00:00:00.000001Z'),
      registered('ann-2', '2024-01-03T00:00:00.000001Z'),
      registered('ann-1', '2024-01-04T00:00:00Z'),
    ]);
    await app.projections.settled();
  });

  afterAll(() => app?.close());

  const page = async (cursor?: string) => {
    const { status, body } = await app.get<SearchPage>(`/v1/customers?q=ann&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(status).toBe(200);
    return { ids: body.results.map((result) => result.customerId), next: body.nextCursor };
  };

  it('neither repeats nor skips a customer when others are seen or added while it pages', async () => {
    const first = await page();
    expect(first.ids).toEqual(['ann-1', 'ann-2']);
    // A new customer and a newly active one both jump ahead of the page already read.
    await app.emit([registered('ann-0', '2024-02-01T00:00:00Z'), { ...registered('ann-5', '2024-02-02T00:00:00Z'), type: 'CustomerProfileUpdated', data: { locale: 'en-GB' } }]);
    await app.projections.settled();
    expect(await page(first.next as string)).toEqual({ ids: ['ann-3', 'ann-4'], next: null });
    expect((await page()).ids).toEqual(['ann-5', 'ann-0']);
  });

  it('answers a cursor it did not write with a 400 naming the parameter', async () => {
    const crafted = [
      'not-a-cursor',
      Buffer.from('12').toString('base64url'),
      Buffer.from(JSON.stringify([3, '2024-02-31T00:00:00.000000Z', 'ann-1'])).toString('base64url'),
      Buffer.from(JSON.stringify([9, '2024-01-01T00:00:00.000000Z', 'ann-1'])).toString('base64url'),
    ];
    for (const cursor of crafted) {
      const { status, body } = await app.get<{ errors: Array<{ path: string }> }>(`/v1/customers?q=ann&cursor=${cursor}`);
      expect([cursor, status, body.errors?.[0]?.path]).toEqual([cursor, 400, 'cursor']);
    }
  });
});
