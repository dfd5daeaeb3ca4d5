import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError } from '@rapport/platform';
import { loadTimelineConfig } from './config';

const root = join(__dirname, '../../..');
// 32 bytes, base64: the master key every scaled process needing personal data is given.
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const masterKeys = { RAPPORT_MASTER_KEYS: `main-1:${MASTER_KEY}`, RAPPORT_MASTER_KEY_ID: 'main-1' };
const base = { DATABASE_URL: 'postgres://rapport:secret@postgres:5432/rapport', ...masterKeys };
const projector = { ...base, RAPPORT_BUS: 'kafka', KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092', KAFKA_CLIENT_ID: 'rapport-timeline-projector' };

function problemsOf(environment: Record<string, string | undefined>): string[] {
  try {
    loadTimelineConfig(environment);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.variable}: ${problem.message}`);
    throw error;
  }
  return [];
}

describe('timeline configuration', () => {
  it('defaults to the PostgreSQL store, no bus, and projectors on', () => {
    expect(loadTimelineConfig(base)).toEqual({
      DATABASE_URL: base.DATABASE_URL,
      PORT: 3002,
      HOST: '0.0.0.0',
      LOG_LEVEL: 'info',
      EVENT_STORE_SCHEMA: 'rapport_events',
      DB_POOL_SIZE: 10,
      PROJECTION_BATCH_SIZE: 1000,
      RUN_PROJECTIONS: true,
      RAPPORT_SESSION_IDLE_MINUTES: 30,
      store: { kind: 'postgres' },
      bus: { mode: 'none' },
      masterKeys: { currentId: 'main-1', keys: new Map([['main-1', Buffer.alloc(32, 7)]]) },
    });
  });

  it('reads a scaled projector: Kafka bus and EventStoreDB store', () => {
    const config = loadTimelineConfig({ ...projector, RAPPORT_EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://kurrentdb:2113?tls=false', PORT: '3004' });
    expect(config).toMatchObject({
      PORT: 3004,
      RUN_PROJECTIONS: true,
      store: { kind: 'eventstoredb', url: 'esdb://kurrentdb:2113?tls=false' },
      bus: { mode: 'kafka', connection: { brokers: ['kafka-1:9092', 'kafka-2:9092'], clientId: 'rapport-timeline-projector', ssl: false } },
    });
  });

  it.each([
    ['eventstoredb without EVENTSTORE_URL', { RAPPORT_EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_URL: required when RAPPORT_EVENT_STORE=eventstoredb'],
    ['EVENTSTORE_URL with the PostgreSQL store', { EVENTSTORE_URL: 'esdb://kurrentdb:2113' }, 'EVENTSTORE_URL: is set but RAPPORT_EVENT_STORE is postgres'],
    ['an unknown store', { RAPPORT_EVENT_STORE: 'kurrent' }, 'RAPPORT_EVENT_STORE: expected postgres or eventstoredb, got "kurrent"'],
    ['kafka without KAFKA_BROKERS', { RAPPORT_BUS: 'kafka' }, 'KAFKA_BROKERS: required when RAPPORT_BUS=kafka'],
    ['brokers that are not host:port', { RAPPORT_BUS: 'kafka', KAFKA_BROKERS: 'kafka' }, 'KAFKA_BROKERS: expected a comma-separated list of host:port, got "kafka"'],
    ['an unknown bus', { RAPPORT_BUS: 'nats' }, 'RAPPORT_BUS: expected none or kafka, got "nats"'],
    ['Kafka settings while the bus is off', { KAFKA_CLIENT_ID: 'rapport-timeline' }, 'KAFKA_CLIENT_ID: is set but RAPPORT_BUS is none'],
    ['half a SASL setup', { ...projector, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'rapport' }, 'KAFKA_SASL_PASSWORD: required with KAFKA_SASL_MECHANISM and KAFKA_SASL_USERNAME'],
    ['a bad RUN_PROJECTIONS', { RUN_PROJECTIONS: 'sometimes' }, 'RUN_PROJECTIONS: expected true or false, got "sometimes"'],
    ['no master key to open personal data with', { RAPPORT_MASTER_KEY_ID: undefined }, 'RAPPORT_MASTER_KEY_ID: required'],
  ])('fails on %s, naming the variable', (_case, environment, expected) => {
    const problems = problemsOf({ ...base, ...environment });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('reports its own problems and both switches in one error', () => {
    const environment = { PROJECTION_BATCH_SIZE: '0', RAPPORT_EVENT_STORE: 'eventstoredb', RAPPORT_BUS: 'nats' };
    expect(() => loadTimelineConfig(environment)).toThrow(/^Invalid configuration for timeline:/);
    expect(problemsOf(environment).map((problem) => problem.split(':')[0])).toEqual(['DATABASE_URL', 'PROJECTION_BATCH_SIZE', 'EVENTSTORE_URL', 'RAPPORT_BUS', 'RAPPORT_MASTER_KEYS', 'RAPPORT_MASTER_KEY_ID']);
  });

  it('exits at boot with the variable named when run as a process', () => {
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, ['-r', '@swc-node/register', 'services/timeline/src/main.ts'], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { PATH: process.env.PATH, ...base, RAPPORT_BUS: 'kafka' },
      });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr).toContain('KAFKA_BROKERS: required when RAPPORT_BUS=kafka');
  });
});
