import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiKeyStore, freePort, ROLES } from '@rapport/platform';
import { Pool } from 'pg';
import { isAlive, rapport, REPO_ROOT, RunningRapport, sleep, type RuntimeInfo } from './support/rapport-cli';

// shared/ sits beside the repository clone.
const RETAIL_FILE = join(REPO_ROOT, '..', 'shared/data/online-retail.csv.gz');

const summaryFigure = (output: string, label: string) => {
  const match = new RegExp(`^\\s+${label}\\s+([\\d,]+)`, 'm').exec(output);
  if (!match) throw new Error(`no "${label}" in:\n${output}`);
  return Number(match[1].replace(/,/g, ''));
};

const orderPlaced = (id: string, customerId = 'e2e-customer-1') => ({
  id,
  type: 'OrderPlaced',
  customerId,
  occurredAt: '2024-03-01T12:00:00Z',
  source: 'e2e',
  data: { orderId: 'e2e-order-1', channel: 'web', currency: 'GBP', total: 1998, lines: [{ sku: 'MUG-1', quantity: 2, unitPrice: 999 }] },
});

const FIRST_EVENT_ID = '0d9b1f3e-5a7c-4e2b-9f1a-3c5e7a9b1d2f';

describe('rapport up, end to end', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let up: RunningRapport;
  let runtime: RuntimeInfo;
  let keys: Record<string, string>;
  let pool: Pool;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rapport-e2e-'));
    // As root, PostgreSQL runs as `postgres` and must be able to reach <dataDir>/pg.
    await chmod(dataDir, 0o755);
    env = { RAPPORT_DATA_DIR: dataDir, RAPPORT_PG_PORT: String(await freePort()) };
    ({ rapport: up, runtime } = await RunningRapport.start(dataDir, env));
    keys = JSON.parse(await readFile(join(dataDir, 'dev-keys.json'), 'utf8'));
    pool = new Pool({ connectionString: runtime.databaseUrl, max: 2 });
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await up?.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  const post = (path: string, key: string, body: unknown) =>
    fetch(`${runtime.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('listens on the real port when asked for port 0 and prints the banner', async () => {
    expect(runtime.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(runtime.url).not.toMatch(/:0$/);
    expect(runtime.pid).toBe(up.pid);
    expect((await fetch(`${runtime.url}/health/ready`)).status).toBe(200);
    for (const text of [`${runtime.url}/v1/events`, `${runtime.url}/v1/customers`, `${runtime.url}/docs`, `${runtime.url}/metrics`, join(dataDir, 'dev-keys.json'), keys.emitter, 'Ctrl-C to stop']) {
      expect(up.stdout).toContain(text);
    }
  });

  it('writes one dev key per role to dev-keys.json, each authenticating with its role', async () => {
    expect(Object.keys(keys).sort()).toEqual([...ROLES].sort());
    const apiKeys = new ApiKeyStore(pool);
    for (const role of ROLES) {
      expect(await apiKeys.authenticate(keys[role])).toMatchObject({ role, name: `dev-${role}` });
    }
  });

  it('stores an OrderPlaced posted with the emitter key, and refuses the analyst key', async () => {
    const stored = await post('/v1/events', keys.emitter, orderPlaced(FIRST_EVENT_ID));
    expect(stored.status).toBe(201);
    expect(await stored.json()).toMatchObject({ id: FIRST_EVENT_ID, streamId: 'customer-e2e-customer-1', revision: 0, duplicate: false });
    const { rows } = await pool.query('SELECT type, stream_id FROM rapport_events.events WHERE event_id = $1', [FIRST_EVENT_ID]);
    expect(rows).toEqual([{ type: 'OrderPlaced', stream_id: 'customer-e2e-customer-1' }]);

    const forbidden = await post('/v1/events', keys.analyst, orderPlaced('5b2e8c1a-7d4f-4a6b-8e3c-9f1d2a4b6c8e'));
    expect(forbidden.status).toBe(403);
  });

  it('imports an Online Retail slice, and stores nothing new the second time', async () => {
    const args = ['import', 'online-retail', RETAIL_FILE, '--limit', '40'];
    const first = await rapport(args, env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`into ${runtime.url}`);
    const events = summaryFigure(first.stdout, 'events');
    expect(summaryFigure(first.stdout, 'invoices')).toBe(40);
    expect(events).toBeGreaterThan(40);
    expect(summaryFigure(first.stdout, 'stored')).toBe(events);
    expect(summaryFigure(first.stdout, 'duplicates')).toBe(0);

    const second = await rapport(args, env);
    expect(second.code).toBe(0);
    expect(summaryFigure(second.stdout, 'stored')).toBe(0);
    expect(summaryFigure(second.stdout, 'duplicates')).toBe(events);

    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM rapport_events.events WHERE metadata->>'source' = 'online-retail-import'`);
    expect(rows[0].n).toBe(events);
  }, 120_000);

  it('serves the imported orders in the customer timeline of the same app', async () => {
    const deadline = Date.now() + 30_000;
    let orderIds: string[] = [];
    while (Date.now() < deadline && !orderIds.includes('536365')) {
      const response = await fetch(`${runtime.url}/v1/customers/17850/timeline?limit=100`, { headers: { authorization: `Bearer ${keys.support}` } });
      expect(response.status).toBe(200);
      const page = (await response.json()) as { entries: { type: string; related?: { orderId?: string } }[] };
      orderIds = page.entries.filter((entry) => entry.type === 'OrderPlaced').map((entry) => entry.related?.orderId ?? '');
      if (!orderIds.includes('536365')) await sleep(200);
    }
    expect(orderIds).toContain('536365');
  }, 60_000);

  it('appends a JSON-lines file, reporting bad lines by number and storing the rest', async () => {
    const file = join(dataDir, 'events.jsonl');
    const good = (n: number) => JSON.stringify(orderPlaced(`7c1e4a2b-3d5f-4b6a-8c9e-0000000000${String(n).padStart(2, '0')}`, `jsonl-${n}`));
    await writeFile(file, [good(1), '{not json', good(2), JSON.stringify(orderPlaced('not-a-uuid')), good(3), ''].join('\n'));

    const run = await rapport(['events', 'append', '--file', file, '--batch-size', '2'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('line 2: not JSON');
    expect(run.stderr).toContain('line 4: id: must be a UUID');
    expect(summaryFigure(run.stdout, 'stored')).toBe(3);
    expect(summaryFigure(run.stdout, 'rejected')).toBe(2);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM rapport_events.events WHERE stream_id LIKE 'customer-jsonl-%'`);
    expect(rows[0].n).toBe(3);
  }, 60_000);

  it('creates, lists and revokes keys through the running platform', async () => {
    const created = await rapport(['keys', 'create', '--role', 'support', '--name', 'e2e-desk'], env);
    expect(created.code).toBe(0);
    const key = /^\s+(rpk_support_\S+)$/m.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    expect(created.stdout).toContain('will not be shown again');
    expect(await new ApiKeyStore(pool).authenticate(key!)).toMatchObject({ role: 'support', name: 'e2e-desk' });

    const listed = await rapport(['keys', 'list'], env);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^\S+\s+e2e-desk\s+support\s+\S+ \S+\s+-$/m);

    expect((await rapport(['keys', 'revoke', 'e2e-desk'], env)).code).toBe(0);
    expect(await new ApiKeyStore(pool).authenticate(key!)).toBeNull();

    const badRole = await rapport(['keys', 'create', '--role', 'owner', '--name', 'x'], env);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('unknown role "owner"');
  }, 60_000);

  it('refuses a second rapport up on the same data directory', async () => {
    const second = await rapport(['up'], { ...env, RAPPORT_PORT: '0' });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is in use by "rapport up" (pid ${up.pid})`);
  }, 60_000);

  it('stops everything on Ctrl-C, exits 0, and starts again with the same data and keys', async () => {
    const postgresPid = Number((await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    expect(isAlive(postgresPid)).toBe(true);
    await pool.end();

    expect(await up.stop('SIGINT')).toBe(0);
    expect(isAlive(postgresPid)).toBe(false);
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    expect(existsSync(join(dataDir, 'rapport.pid'))).toBe(false);

    ({ rapport: up, runtime } = await RunningRapport.start(dataDir, env));
    pool = new Pool({ connectionString: runtime.databaseUrl, max: 2 });
    expect(JSON.parse(await readFile(join(dataDir, 'dev-keys.json'), 'utf8'))).toEqual(keys);
    expect(up.stdout).toContain('reused from an earlier run');
    const again = await post('/v1/events', keys.emitter, orderPlaced(FIRST_EVENT_ID));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, revision: 0 });
  }, 120_000);
});
