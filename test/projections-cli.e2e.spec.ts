import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { registerProjectionCommands } from '@rapport/cli/src/commands/projections';
import { streamIdFor, toStoredEvent } from '@rapport/contracts';
import { createPostgresEventStore, type PostgresEventStore } from '@rapport/event-store';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import type { ProjectionRuntime } from '@rapport/projections';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { createTimelineApp, TIMELINE, type Timeline } from '@rapport/timeline';
import { Command } from 'commander';
import { Pool } from 'pg';

const POISON = '80000000-0000-4000-8000-000000000001';

describe('rapport projections … against a running timeline service', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let pool: Pool;
  let app: NestFastifyApplication;
  let baseUrl: string;
  let adminKey: string;
  let output: string[];

  beforeAll(async () => {
    database = await createTestDatabase('projections_cli');
    store = await createPostgresEventStore({ connectionString: database.url, poolSize: 2, pollIntervalMs: 10 });
    pool = new Pool({ connectionString: database.url, max: 2 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    adminKey = (await apiKeys.create({ role: 'admin', name: 'ops' })).key;
    app = await createTimelineApp({ store, apiKeys, databaseUrl: database.url, logger: createLogger({ level: 'error', serviceName: 'timeline' }) });
    await app.listen(0, '127.0.0.1');
    baseUrl = await app.getUrl();

    const delivered = { id: '80000000-0000-4000-8000-000000000002', type: 'OrderDelivered', version: 1, customerId: 'p-1', occurredAt: '2024-01-01T00:00:00Z', source: 'shop', data: { orderId: 'o-1' } };
    await store.append(streamIdFor(delivered), [toStoredEvent(delivered, delivered.occurredAt)]);
    // Written straight to the store, bypassing ingest's validation: no projection can read it.
    await store.append('customer-p-1', [{ id: POISON, type: 'OrderPlaced', data: { orderId: 'o-2' }, metadata: { customerId: 'p-1', occurredAt: '2024-01-02T00:00:00Z', source: 'shop' } }]);
    await (app.get<Timeline>(TIMELINE).projections as ProjectionRuntime).settled();
  });

  afterAll(async () => {
    await app?.close();
    await Promise.allSettled([store?.close(), pool?.end()]);
    await database?.drop();
  });

  beforeEach(() => {
    output = [];
    jest.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void output.push(args.join(' ')));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    process.exitCode = undefined;
  });

  async function rapport(...args: string[]): Promise<string> {
    const program = new Command('rapport').exitOverride();
    registerProjectionCommands(program);
    await program.parseAsync(['projections', ...args, '--url', baseUrl, '--key', adminKey], { from: 'user' });
    return output.join('\n');
  }

  it('shows the status of every projection, parked events included', async () => {
    const text = await rapport('status');
    const lines = text.split('\n');
    expect(lines[0].split(/\s+/)).toEqual(['NAME', 'GEN', 'VER', 'STATE', 'POSITION', 'LAG', 'LAG(s)', 'EVENTS/s', 'PARKED', 'REBUILD']);
    expect(lines[1].split(/\s+/).slice(0, 6)).toEqual(['customer-profiles', '1', '2', 'running', '2', '0']);
    expect(lines[2].split(/\s+/).slice(0, 6)).toEqual(['identities', '1', '1', 'running', '2', '0']);
    expect(lines[3].split(/\s+/).slice(0, 6)).toEqual(['timeline', '1', '3', 'running', '2', '0']);
    expect(lines[3].split(/\s+/)[8]).toBe('1');
  });

  it('lists parked events and retries them', async () => {
    const listed = await rapport('parked');
    expect(listed.split('\n').filter((line) => line.includes(POISON)).map((line) => line.split(/\s+/).slice(0, 3))).toEqual([
      ['customer-profiles', POISON, 'OrderPlaced'],
      ['timeline', POISON, 'OrderPlaced'],
    ]);
    expect(listed).toContain('InvalidEventError: stored event');

    output = [];
    expect(await rapport('retry', 'timeline', POISON)).toContain('Retried 1: 0 applied, 1 still failing.');
    expect(process.exitCode).toBe(1);
    await expect(rapport('retry', 'timeline')).rejects.toThrow('give either an event id or --all');
    output = [];
    const json = JSON.parse(await rapport('parked', 'timeline', '--json')) as { attempts: number }[];
    expect(json.map((event) => event.attempts)).toEqual([2]);
  });

  it('rebuilds, waiting for the switch, and verifies', async () => {
    expect(await rapport('rebuild', 'timeline')).toContain('Done: timeline now serves generation 2');
    output = [];
    const verified = await rapport('verify', 'timeline');
    expect(verified).toMatch(/^entries\s+1\s+\w+\s+1\s+\w+\s+equal$/m);
    expect(verified).toContain('timeline: equal hashes');
    await expect(rapport('verify', 'nope')).rejects.toThrow("404 no projection named 'nope'");
  });
});
