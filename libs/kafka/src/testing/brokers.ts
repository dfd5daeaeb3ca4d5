import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KafkaClient } from '../kafka-client';
import { InMemoryKafka, type InMemoryKafkaOptions } from './in-memory-kafka';

/** Image for the Testcontainers broker; KRaft mode, no ZooKeeper. */
export const KAFKA_TEST_IMAGE = 'confluentinc/cp-kafka:7.9.0';

export interface Broker {
  readonly kafka: KafkaClient;
  /** 'memory' for the in-process fake, 'kafka' for a real broker in a container. */
  readonly kind: 'memory' | 'kafka';
  /** Brokers list for a real broker (what KAFKA_BROKERS would hold). */
  readonly brokers?: readonly string[];
}

/**
 * Why no Docker engine can be used, or `undefined` when one looks reachable. Decided from
 * the environment alone so that suites can choose `describe` or `describe.skip` up front.
 */
export function dockerUnavailableReason(): string | undefined {
  if (process.env.DOCKER_HOST) return undefined;
  const sockets = ['/var/run/docker.sock', join(homedir(), '.docker/run/docker.sock'), join(homedir(), '.colima/default/docker.sock')];
  if (sockets.some((socket) => existsSync(socket))) return undefined;
  return 'no Docker engine here (DOCKER_HOST unset, no docker.sock)';
}

const announced = new Set<string>();

/**
 * Runs one suite twice: against the in-memory fake and against a real broker started by
 * Testcontainers. Without a Docker engine the second run is skipped, with its reason in
 * the suite title and printed once.
 */
export function describeWithBrokers(title: string, suite: (broker: () => Broker) => void, fake: InMemoryKafkaOptions = {}): void {
  describe(`${title} [in-memory kafka]`, () => {
    let broker: Broker;
    beforeEach(() => {
      broker = { kafka: new InMemoryKafka(fake), kind: 'memory' };
    });
    suite(() => broker);
  });

  const reason = dockerUnavailableReason();
  if (reason) {
    if (!announced.has(title)) {
      announced.add(title);
      process.stderr.write(`[skip] ${title} [real broker]: ${reason}\n`);
    }
    describe.skip(`${title} [real broker] (skipped: ${reason})`, () => suite(() => ({ kafka: new InMemoryKafka(), kind: 'memory' })));
    return;
  }

  describe(`${title} [real broker]`, () => {
    let broker: Broker;
    let stop: (() => Promise<void>) | undefined;
    beforeAll(async () => {
      const started = await startKafkaContainer();
      broker = started.broker;
      stop = started.stop;
    }, 240_000);
    afterAll(async () => {
      await stop?.();
    });
    suite(() => broker);
  });
}

/** Starts a single-node KRaft broker; testcontainers is loaded only here. */
export async function startKafkaContainer(): Promise<{ broker: Broker; stop: () => Promise<void> }> {
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { createKafkaClient } = await import('../kafka-client');
  const container = await new KafkaContainer(KAFKA_TEST_IMAGE).withKraft().start();
  const brokers = [`${container.getHost()}:${container.getMappedPort(9093)}`];
  const kafka = createKafkaClient({ brokers, clientId: 'rapport-test', ssl: false });
  return {
    broker: { kafka, kind: 'kafka', brokers },
    stop: async () => {
      await container.stop();
    },
  };
}
