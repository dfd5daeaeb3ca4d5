import { describeWithDocker } from '@rapport/testing';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { describeEventStoreContract } from './contract/event-store-contract';
import type { EventStore } from './event-store';
import { createEventStoreDbStore } from './eventstoredb/eventstoredb-store';

const IMAGE = 'docker.kurrent.io/kurrent-latest/kurrentdb:latest';
const GRPC_PORT = 2113;

/** The node answers its health check a moment before it has elected itself leader. */
async function connectWhenReady(connectionString: string): Promise<EventStore> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createEventStoreDbStore({ connectionString });
    } catch (error) {
      if (attempt === 30) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

describeWithDocker('EventStoreDB contract', () => {
  let container: StartedTestContainer | undefined;

  beforeAll(async () => {
    container = await new GenericContainer(IMAGE)
      .withEnvironment({ EVENTSTORE_INSECURE: 'true', EVENTSTORE_RUN_PROJECTIONS: 'None', EVENTSTORE_MEM_DB: 'true' })
      .withExposedPorts(GRPC_PORT)
      .withWaitStrategy(Wait.forHttp('/health/live', GRPC_PORT).forStatusCode(204))
      .withStartupTimeout(180_000)
      .start();
  }, 300_000);

  afterAll(async () => {
    await container?.stop();
  }, 60_000);

  describeEventStoreContract('EventStoreDB', async () => {
    const store = await connectWhenReady(`esdb://${container!.getHost()}:${container!.getMappedPort(GRPC_PORT)}?tls=false`);
    return { store, cleanup: () => store.close() };
  });
});
