import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@rapport/platform';
import { loadIngestConfig } from './config';

const root = join(__dirname, '../../..');
// 32 bytes, base64: the master key every scaled process needing personal data is given.
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const masterKeys = { RAPPORT_MASTER_KEYS: `main-1:${MASTER_KEY}`, RAPPORT_MASTER_KEY_ID: 'main-1' };
const base = { DATABASE_URL: 'postgres://rapport:secret@postgres:5432/rapport', ...masterKeys };

function problemsOf(environment: Record<string, string | undefined>): string[] {
  try {
    loadIngestConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.variable}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('ingest configuration', () => {
  it('defaults to the PostgreSQL store', () => {
    expect(loadIngestConfig(base)).toEqual({
      DATABASE_URL: base.DATABASE_URL,
      PORT: 3001,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      EVENT_STORE_SCHEMA: 'rapport_events',
      DB_POOL_SIZE: 10,
      store: { kind: 'postgres' },
      masterKeys: { currentId: 'main-1', keys: new Map([['main-1', Buffer.alloc(32, 7)]]) },
    });
  });

  it('switches to EventStoreDB by configuration alone', () => {
    const config = loadIngestConfig({ ...base, RAPPORT_EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://kurrentdb:2113?tls=false' });
    expect(config.store).toEqual({ kind: 'eventstoredb', url: 'esdb://kurrentdb:2113?tls=false' });
  });

  it('leaves the bus settings to the processes that use Kafka (the relay feeds it from the store)', () => {
    expect(loadIngestConfig({ ...base, RAPPORT_BUS: 'kafka', KAFKA_BROKERS: 'kafka:9092' })).not.toHaveProperty('bus');
  });

  it.each([
    ['eventstoredb without EVENTSTORE_URL', { RAPPORT_EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_URL: required when RAPPORT_EVENT_STORE=eventstoredb'],
    ['EVENTSTORE_URL with the PostgreSQL store', { EVENTSTORE_URL: 'esdb://kurrentdb:2113' }, 'EVENTSTORE_URL: is set but RAPPORT_EVENT_STORE is postgres'],
    ['an EVENTSTORE_URL that is not esdb://', { RAPPORT_EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'http://kurrentdb:2113' }, 'EVENTSTORE_URL: expected a esdb or esdb+discover URL, got "http://kurrentdb:2113"'],
    ['an unknown store', { RAPPORT_EVENT_STORE: 'mysql' }, 'RAPPORT_EVENT_STORE: expected postgres or eventstoredb, got "mysql"'],
    ['no master key (personal data would be stored in plain text)', { RAPPORT_MASTER_KEYS: undefined }, 'RAPPORT_MASTER_KEYS: required'],
    ['a master key of the wrong length', { RAPPORT_MASTER_KEYS: 'main-1:c2hvcnQ=' }, "RAPPORT_MASTER_KEYS: key 'main-1' must be 32 bytes"],
    ['a current master key that is not in the list', { RAPPORT_MASTER_KEY_ID: 'main-2' }, "RAPPORT_MASTER_KEY_ID: 'main-2' is not one of RAPPORT_MASTER_KEYS"],
  ])('fails on %s, naming the variable', (_case, environment, expected) => {
    const problems = problemsOf({ ...base, ...environment });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('reports its own problems and the store switch in one error', () => {
    expect(() => loadIngestConfig({ PORT: 'abc', RAPPORT_EVENT_STORE: 'eventstoredb' })).toThrow(/^Invalid configuration for ingest:/);
    expect(problemsOf({ PORT: 'abc', RAPPORT_EVENT_STORE: 'eventstoredb' }).map((problem) => problem.split(':')[0])).toEqual(['DATABASE_URL', 'PORT', 'EVENTSTORE_URL', 'RAPPORT_MASTER_KEYS', 'RAPPORT_MASTER_KEY_ID']);
  });

  it('exits at boot with the variable named when run as a process', () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, ['-r', '@swc-node/register', 'services/ingest/src/main.ts'], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { PATH: process.env.PATH, ...base, RAPPORT_EVENT_STORE: 'eventstoredb' },
      });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr).toContain('EVENTSTORE_URL: required when RAPPORT_EVENT_STORE=eventstoredb');
  });

  it('depends on no Kafka code: the store it opens comes from @rapport/event-store', () => {
    const sources = readdirSync(__dirname, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'));
    expect(sources.filter((file) => readFileSync(join(__dirname, file), 'utf8').includes("'@rapport/kafka"))).toEqual([]);
  });

  it('reaches neither @rapport/kafka nor kafkajs: the process only appends to the store', () => {
    const output = execFileSync(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        '-e',
        `require('./services/ingest/src/app');
         const { loadIngestConfig } = require('./services/ingest/src/config');
         loadIngestConfig(process.env);
         const loaded = Object.keys(require.cache);
         console.log(JSON.stringify({ kafkaLib: loaded.some((file) => file.includes('/libs/kafka/')), kafkajs: loaded.some((file) => file.includes('/node_modules/kafkajs/')) }));`,
      ],
      { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, ...base, RAPPORT_BUS: 'kafka', KAFKA_BROKERS: 'kafka:9092' } },
    );
    expect(JSON.parse(output.trim().split('\n').pop()!)).toEqual({ kafkaLib: false, kafkajs: false });
  });
});
