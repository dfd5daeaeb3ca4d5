import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ConfigError } from '@rapport/platform';
import { loadRelayConfig } from './config';

const scaled = { DATABASE_URL: 'postgres://rapport:secret@postgres:5432/rapport', RAPPORT_BUS: 'kafka', KAFKA_BROKERS: 'kafka:9092' };

describe('relay configuration', () => {
  it('reads the scaled-mode environment', () => {
    const config = loadRelayConfig({ ...scaled, RAPPORT_EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'esdb://kurrentdb:2113?tls=false', RELAY_BATCH_SIZE: '200' });
    expect(config).toMatchObject({
      PORT: 3003,
      RELAY_BATCH_SIZE: 200,
      store: { kind: 'eventstoredb', url: 'esdb://kurrentdb:2113?tls=false' },
      kafka: { brokers: ['kafka:9092'], clientId: 'rapport', ssl: false },
      topics: { partitions: 12, replicationFactor: 1 },
    });
  });

  it('refuses to start without Kafka, saying what to set', () => {
    expect(() => loadRelayConfig({ DATABASE_URL: scaled.DATABASE_URL })).toThrow(ConfigError);
    expect(() => loadRelayConfig({ DATABASE_URL: scaled.DATABASE_URL })).toThrow(/RAPPORT_BUS: the relay publishes to Kafka/);
    expect(() => loadRelayConfig({ ...scaled, DATABASE_URL: undefined })).toThrow(/DATABASE_URL: required/);
  });

  it('exits at boot with that message when run as a process', () => {
    const root = join(__dirname, '../../..');
    let failure: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, ['-r', '@swc-node/register', 'services/relay/src/main.ts'], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { PATH: process.env.PATH, DATABASE_URL: scaled.DATABASE_URL, RAPPORT_BUS: 'none' },
      });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure?.status).toBe(1);
    expect(failure?.stderr).toContain('RAPPORT_BUS: the relay publishes to Kafka');
  });
});
