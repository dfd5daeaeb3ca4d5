import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@rapport/platform';
import { RunningRapport, sleep, type RuntimeInfo } from './support/rapport-cli';

const AS_OF = '2024-07-01T00:00:00.000Z';
const order = (customerId: string, orderId: string, occurredAt: string, total: number) => ({
  id: randomUUID(), type: 'OrderPlaced', customerId, occurredAt, source: 'shop',
  data: { orderId, channel: 'web', currency: 'GBP', total, lines: [{ sku: 'MUG-1', quantity: 1, unitPrice: total }] },
});
const registered = (customerId: string, occurredAt: string, data: Record<string, unknown>) => ({ id: randomUUID(), type: 'CustomerRegistered', customerId, occurredAt, source: 'shop', data });

/**
 * The whole platform as `rapport up` runs it: a merge through the admin API reaches every read
 * model (timeline, profile, loyalty, segments), and the unmerge gives back each one as it was.
 */
describe('merge and unmerge across every read model', () => {
  let dataDir: string;
  let up: RunningRapport;
  let runtime: RuntimeInfo;
  let keys: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rapport-merge-'));
    await chmod(dataDir, 0o755);
    ({ rapport: up, runtime } = await RunningRapport.start(dataDir, { RAPPORT_DATA_DIR: dataDir, RAPPORT_PG_PORT: String(await freePort()) }));
    keys = JSON.parse(await readFile(join(dataDir, 'dev-keys.json'), 'utf8'));
  }, 120_000);

  afterAll(async () => {
    await up?.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  async function call(method: 'GET' | 'POST', path: string, role: string, body?: unknown, redirect: 'follow' | 'manual' = 'follow') {
    const response = await fetch(`${runtime.url}${path}`, {
      method, redirect,
      headers: { authorization: `Bearer ${keys[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await sleep(200);
    }
  }

  const readModels = async (customerId: string) => ({
    timeline: (await call('GET', `/v1/customers/${customerId}/timeline?limit=200`, 'support')).body,
    profile: (await call('GET', `/v1/customers/${customerId}`, 'support')).body,
    loyalty: (await call('GET', `/v1/customers/${customerId}/loyalty?asOf=${AS_OF}`, 'support')).body,
    ledger: (await call('GET', `/v1/customers/${customerId}/loyalty/ledger?limit=200`, 'support')).body,
    segment: (await call('GET', `/v1/customers/${customerId}/segment?asOf=${AS_OF}`, 'analyst')).body,
  });
  const redirected = async (customerId: string) => {
    const paths = [`/v1/customers/${customerId}`, `/v1/customers/${customerId}/timeline`, `/v1/customers/${customerId}/loyalty`, `/v1/customers/${customerId}/segment`];
    return Promise.all(paths.map(async (path) => (await call('GET', path, path.endsWith('segment') ? 'analyst' : 'support', undefined, 'manual')).status));
  };

  it('shows the survivor both histories while merged, and each customer exactly its own after the unmerge', async () => {
    const events = [
      registered('x-main', '2024-01-01T09:00:00Z', { email: 'ann@example.com', firstName: 'Ann' }),
      order('x-main', 'xm-1', '2024-02-01T10:00:00Z', 30_000),
      registered('x-dup', '2024-03-01T09:00:00Z', { email: 'ann.other@example.com' }),
      order('x-dup', 'xd-1', '2024-04-01T10:00:00Z', 20_000),
      order('x-dup', 'xd-2', '2024-05-01T10:00:00Z', 10_000),
      ...Array.from({ length: 8 }, (_, n) => order(`x-other-${n}`, `xo-${n}`, `2024-0${1 + (n % 5)}-15T10:00:00Z`, 5_000 + 1_000 * n)),
    ];
    expect((await call('POST', '/v1/events/batch', 'emitter', { events })).status).toBe(200);
    await until(() => readModels('x-dup'), (models) => models.timeline.entries?.length === 3 && models.loyalty.lifetimeEarned > 0 && models.ledger.entries?.length > 0);
    expect((await call('POST', '/v1/segments/recomputes', 'admin', { asOf: AS_OF })).status).toBe(201);
    await sleep(1_000); // segment decisions appended by the recompute reach the timeline
    const before = { main: await readModels('x-main'), dup: await readModels('x-dup') };
    expect(before.main.segment.measures).toMatchObject({ frequency: 1 });
    expect(before.dup.segment.measures).toMatchObject({ frequency: 2 });

    expect((await call('POST', '/v1/customers/x-dup/merge', 'admin', { into: 'x-main', reason: 'same person' })).status).toBe(201);
    expect(await until(() => redirected('x-dup'), (statuses) => statuses.every((status) => status === 307))).toEqual([307, 307, 307, 307]);
    expect((await call('POST', '/v1/segments/recomputes', 'admin', { asOf: AS_OF })).status).toBe(201);
    const survivor = await readModels('x-main');
    expect(survivor.timeline.entries.filter((entry: any) => entry.customerId === 'x-dup')).toHaveLength(before.dup.timeline.entries.length);
    expect(survivor.profile.orders).toMatchObject({ count: 3, netSpend: { amount: 60_000 } });
    expect(survivor.loyalty.lifetimeEarned).toBe(before.main.loyalty.lifetimeEarned + before.dup.loyalty.lifetimeEarned);
    expect(survivor.segment.measures).toMatchObject({ frequency: 3 });

    expect((await call('POST', '/v1/customers/x-dup/unmerge', 'admin', { reason: 'two people' })).status).toBe(201);
    // Until the next recompute the latest snapshot has no row of its own for x-dup: 404, no longer 307.
    expect(await until(() => redirected('x-dup'), (statuses) => statuses.every((status) => status !== 307))).toEqual([200, 200, 200, 404]);
    expect((await call('POST', '/v1/segments/recomputes', 'admin', { asOf: AS_OF })).status).toBe(201);
    await sleep(1_000);
    expect({ main: await readModels('x-main'), dup: await readModels('x-dup') }).toEqual(before);
  }, 120_000);
});
