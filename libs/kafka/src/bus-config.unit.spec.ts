import { ConfigError } from '@rapport/platform';
import { loadBusConfig } from './bus-config';
import { loadStoreSelection } from '@rapport/event-store';
import { loadModes } from './modes';

function problemsOf(read: () => unknown): Record<string, string> {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return Object.fromEntries(error.problems.map((problem) => [problem.variable, problem.message]));
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('deployment mode configuration', () => {
  it('defaults to the embedded mode: PostgreSQL store, no bus', () => {
    expect(loadModes({})).toEqual({ store: { kind: 'postgres' }, bus: { mode: 'none' } });
  });

  it('reads a complete Kafka setup', () => {
    const bus = loadBusConfig({
      RAPPORT_BUS: 'kafka',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      KAFKA_CLIENT_ID: 'rapport-relay',
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'rapport',
      KAFKA_SASL_PASSWORD: 's3cret',
      KAFKA_TOPIC_PARTITIONS: '24',
      KAFKA_TOPIC_REPLICATION_FACTOR: '3',
      KAFKA_MAX_MESSAGE_BYTES: '2097152',
    });
    expect(bus).toEqual({
      mode: 'kafka',
      connection: {
        brokers: ['kafka-1:9092', 'kafka-2:9092'],
        clientId: 'rapport-relay',
        ssl: { caFile: '/etc/kafka/ca.pem', rejectUnauthorized: true },
        sasl: { mechanism: 'scram-sha-512', username: 'rapport', password: 's3cret' },
      },
      topics: { partitions: 24, replicationFactor: 3, maxMessageBytes: 2_097_152 },
    });
    expect(Object.isFrozen(bus)).toBe(true);
  });

  it('fails on combinations that cannot be meant, naming each variable', () => {
    expect(problemsOf(() => loadBusConfig({ RAPPORT_BUS: 'kafka' }))).toEqual({ KAFKA_BROKERS: expect.stringContaining('required when RAPPORT_BUS=kafka') });
    expect(problemsOf(() => loadBusConfig({ KAFKA_BROKERS: 'kafka:9092' }))).toEqual({ KAFKA_BROKERS: expect.stringContaining('RAPPORT_BUS is none') });
    expect(problemsOf(() => loadBusConfig({ RAPPORT_BUS: 'kafka', KAFKA_BROKERS: 'kafka:9092', KAFKA_SASL_USERNAME: 'u' }))).toEqual({
      KAFKA_SASL_MECHANISM: expect.stringContaining('required with KAFKA_SASL_USERNAME'),
      KAFKA_SASL_PASSWORD: expect.stringContaining('required with KAFKA_SASL_USERNAME'),
    });
    expect(problemsOf(() => loadBusConfig({ RAPPORT_BUS: 'kafka', KAFKA_BROKERS: 'kafka:9092', KAFKA_SSL_CA_FILE: '/ca.pem' }))).toEqual({
      KAFKA_SSL_CA_FILE: expect.stringContaining('KAFKA_SSL is false'),
    });
    expect(problemsOf(() => loadStoreSelection({ RAPPORT_EVENT_STORE: 'eventstoredb' }))).toEqual({ EVENTSTORE_URL: expect.stringContaining('required when RAPPORT_EVENT_STORE=eventstoredb') });
    expect(problemsOf(() => loadStoreSelection({ EVENTSTORE_URL: 'esdb://kurrentdb:2113?tls=false' }))).toEqual({ EVENTSTORE_URL: expect.stringContaining('RAPPORT_EVENT_STORE is postgres') });
  });

  it('rejects malformed values with what was expected', () => {
    expect(problemsOf(() => loadBusConfig({ RAPPORT_BUS: 'rabbitmq' }))).toEqual({ RAPPORT_BUS: expect.stringContaining('expected none or kafka') });
    expect(problemsOf(() => loadBusConfig({ RAPPORT_BUS: 'kafka', KAFKA_BROKERS: 'http://kafka' }))).toEqual({ KAFKA_BROKERS: expect.stringContaining('host:port') });
    expect(problemsOf(() => loadBusConfig({ RAPPORT_BUS: 'kafka', KAFKA_BROKERS: 'kafka:9092', KAFKA_MAX_MESSAGE_BYTES: '100' }))).toEqual({
      KAFKA_MAX_MESSAGE_BYTES: expect.any(String),
    });
    expect(problemsOf(() => loadStoreSelection({ RAPPORT_EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'http://kurrentdb:2113' }))).toEqual({
      EVENTSTORE_URL: expect.stringContaining('esdb'),
    });
  });

  it('reports the problems of both switches at once', () => {
    const error = (() => {
      try {
        loadModes({ RAPPORT_EVENT_STORE: 'eventstoredb', RAPPORT_BUS: 'kafka' });
      } catch (thrown) {
        return thrown as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error.problems.map((problem) => problem.variable).sort()).toEqual(['EVENTSTORE_URL', 'KAFKA_BROKERS']);
    expect(error.message).toContain('RAPPORT_EVENT_STORE, RAPPORT_BUS');
  });

  it('selects EventStoreDB with its URL', () => {
    expect(loadStoreSelection({ RAPPORT_EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://kurrentdb:2113?tls=false' })).toEqual({
      kind: 'eventstoredb',
      url: 'esdb://kurrentdb:2113?tls=false',
    });
  });
});
