import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@rapport/platform';
import { isAlive, RunningRapport, sleep, type RuntimeInfo } from './support/rapport-cli';

const orderPlaced = (id: string) => ({
  id,
  type: 'OrderPlaced',
  customerId: 'lifecycle-1',
  occurredAt: '2024-03-01T12:00:00Z',
  source: 'e2e',
  data: { orderId: 'lifecycle-order-1', channel: 'web', currency: 'GBP', total: 999, lines: [{ sku: 'MUG-1', quantity: 1, unitPrice: 999 }] },
});

/** Log lines at warn or above, which a clean start and stop must not print. */
const complaints = (output: string) => output.split('\n').filter((line) => /"level":"(warn|error|fatal)"/.test(line) || /retrying|stack/i.test(line));

describe('rapport up: stopping and dying', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let up: RunningRapport | undefined;

  const postmasterPid = async () => Number((await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0]) || undefined;

  const emit = async (runtime: RuntimeInfo, id: string) => {
    const keys = JSON.parse(await readFile(join(dataDir, 'dev-keys.json'), 'utf8')) as Record<string, string>;
    const response = await fetch(`${runtime.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keys.emitter}`, 'content-type': 'application/json' },
      body: JSON.stringify(orderPlaced(id)),
    });
    return (await response.json()) as { duplicate: boolean };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rapport-lifecycle-'));
    await chmod(dataDir, 0o755);
    env = { RAPPORT_DATA_DIR: dataDir, RAPPORT_PG_PORT: String(await freePort()) };
  });

  afterAll(async () => {
    await up?.stop('SIGTERM');
    // Whatever happened above, leave no PostgreSQL of this data directory running.
    const pid = await postmasterPid();
    if (pid !== undefined && isAlive(pid)) {
      process.kill(pid, 'SIGINT');
      for (let waited = 0; isAlive(pid) && waited < 30_000; waited += 100) await sleep(100);
    }
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('stops on Ctrl-C to its whole process group without a warning: projections stop before PostgreSQL', async () => {
    const started = await RunningRapport.start(dataDir, env, 90_000, { processGroup: true });
    up = started.rapport;
    expect(await emit(started.runtime, '1a7e5c3b-2d4f-4e6a-8b9c-0d1e2f3a4b5c')).toMatchObject({ duplicate: false });
    const pid = await postmasterPid();
    // Long enough for the projections to be reading when the signal arrives.
    await sleep(500);

    expect(await up.interruptGroup()).toBe(0);
    expect(complaints(up.stdout + up.stderr)).toEqual([]);
    expect(up.stdout).toContain('Stopped.');
    expect(isAlive(pid!)).toBe(false);
    expect(existsSync(join(dataDir, 'rapport.pid'))).toBe(false);
    up = undefined;
  }, 120_000);

  it('stops the PostgreSQL a killed rapport left running on its data directory, says so, and starts with the same data', async () => {
    const first = await RunningRapport.start(dataDir, env);
    const orphan = await postmasterPid();
    expect(orphan).toBeDefined();
    // What an out-of-memory kill does: Node dies at once, nothing of it runs.
    first.rapport.kill();
    await first.rapport.exited;
    expect(isAlive(orphan!)).toBe(true);

    const second = await RunningRapport.start(dataDir, env);
    up = second.rapport;
    expect(up.stdout + up.stderr).toContain(`PostgreSQL (pid ${orphan}) was left running on ${join(dataDir, 'pg')} by an earlier rapport process that died`);
    expect(isAlive(orphan!)).toBe(false);
    expect(await postmasterPid()).not.toBe(orphan);
    expect(await emit(second.runtime, '1a7e5c3b-2d4f-4e6a-8b9c-0d1e2f3a4b5c')).toMatchObject({ duplicate: true });

    expect(await up.stop('SIGINT')).toBe(0);
    up = undefined;
  }, 180_000);
});
