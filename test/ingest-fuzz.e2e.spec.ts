import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@rapport/platform';
import { parkedAfterCatchUp, runIngestFuzz, type FuzzTarget } from './support/ingest-fuzz';
import { RunningRapport } from './support/rapport-cli';

// Enough for every generator to hit its corners on each run; `npm run fuzz:ingest` sends 100,000.
const REQUESTS = 3000;

describe('hostile emitters and readers against the embedded platform', () => {
  let dataDir: string;
  let up: RunningRapport;
  let platform: FuzzTarget;

  // `rapport up` in its own process, as users run it (jest cannot load the embedded PostgreSQL in-process).
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rapport-fuzz-'));
    // As root, PostgreSQL runs as `postgres` and must be able to reach <dataDir>/pg.
    await chmod(dataDir, 0o755);
    const started = await RunningRapport.start(dataDir, { RAPPORT_PG_PORT: String(await freePort()), LOG_LEVEL: 'error' });
    up = started.rapport;
    platform = { url: started.runtime.url, keys: JSON.parse(await readFile(join(dataDir, 'dev-keys.json'), 'utf8')) };
  }, 120_000);

  afterAll(async () => {
    await up?.stop('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it(`answers ${REQUESTS} hostile requests without a 5xx, and every accepted event is projected, none parked`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const report = await runIngestFuzz(platform, REQUESTS, { seed, concurrency: 8 });

    expect({ seed, failures: report.failures.slice(0, 10) }).toEqual({ seed, failures: [] });
    expect([...report.statuses.values()].reduce((sum, count) => sum + count, 0)).toBe(REQUESTS);
    // The mix must reach the store and the read models, not only the validation.
    expect([...report.statuses.keys()]).toEqual(expect.arrayContaining([200, 201, 400, 404, 409]));

    const parked = await parkedAfterCatchUp(platform);
    expect(Object.keys(parked)).toEqual(expect.arrayContaining(['timeline', 'customer-profiles']));
    expect({ seed, parked }).toEqual({ seed, parked: Object.fromEntries(Object.keys(parked).map((name) => [name, 0])) });
    expect(`${up.stdout}${up.stderr}`).not.toMatch(/"level":"error"/);
  }, 600_000);
});
