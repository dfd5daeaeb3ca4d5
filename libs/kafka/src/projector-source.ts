import type { EventStore } from '@rapport/event-store';
import { storeSource, type EventSource, type SourceEvent } from '@rapport/projections';
import type { BusConfig } from './bus-config';
import { createKafkaClient, type LogSink } from './kafka-client';
import { kafkaSource } from './kafka-source';

export interface ProjectorSourceOptions {
  readonly bus: BusConfig;
  readonly store: EventStore;
  /** Base of the service's consumer groups, e.g. `rapport.projector.timeline` (see `kafkaSource`). */
  readonly groupId: string;
  /** Events per transaction when following the store. */
  readonly batchSize?: number;
  readonly log?: LogSink;
  /**
   * Opens the personal fields Kafka carries sealed, before the contract check (`kafkaSource`'s
   * `open`); the store given is expected to open them itself.
   */
  readonly open?: (events: readonly SourceEvent[]) => Promise<readonly SourceEvent[]>;
}

/**
 * What feeds a standalone projector's live projections: the Kafka topic when the bus is on,
 * else the store's subscription. Rebuilds replay from the store either way. The Kafka
 * client is made only on the Kafka branch, so a process with the bus off never connects.
 */
export function projectorSource(options: ProjectorSourceOptions): EventSource {
  const { bus, store } = options;
  switch (bus.mode) {
    case 'none':
      return storeSource(store, { batchSize: options.batchSize });
    case 'kafka':
      return kafkaSource({
        kafka: createKafkaClient(bus.connection, options.log),
        groupId: options.groupId,
        headPosition: () => store.headPosition(),
        open: options.open,
        log: options.log,
      });
    default: {
      const unknown: never = bus;
      throw new Error(`unknown bus ${JSON.stringify(unknown)}`);
    }
  }
}
