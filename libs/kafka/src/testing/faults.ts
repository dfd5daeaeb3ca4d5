import type { AdminConfig, ConsumerConfig, ProducerConfig } from 'kafkajs';
import type { KafkaAdmin, KafkaClient, KafkaConsumer, KafkaProducer } from '../kafka-client';

type SendFault = 'refused' | 'ack-lost';

/** Raised by an injected fault; tests tell it apart from real failures by class. */
export class InjectedFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InjectedFault';
  }
}

/**
 * Wraps any KafkaClient (the in-memory one or a real broker's) and fails chosen calls, so
 * the same failure scenarios run against both: a send the broker never saw, a send the
 * broker stored but whose acknowledgement was lost, an offset commit that never happened.
 */
export class FaultyKafka implements KafkaClient {
  private readonly sendFaults: SendFault[] = [];
  private commitFaults = 0;

  constructor(private readonly inner: KafkaClient) {}

  /** The next send fails before anything reaches the broker. */
  refuseNextSend(): this {
    this.sendFaults.push('refused');
    return this;
  }

  /** The next send reaches the broker and is stored, but the producer hears an error. */
  loseAckOfNextSend(): this {
    this.sendFaults.push('ack-lost');
    return this;
  }

  /** The next offset commit fails without committing, as when the process dies just before it. */
  failNextCommit(): this {
    this.commitFaults += 1;
    return this;
  }

  get pendingFaults(): number {
    return this.sendFaults.length + this.commitFaults;
  }

  producer(config?: ProducerConfig): KafkaProducer {
    const producer = this.inner.producer(config);
    return {
      connect: () => producer.connect(),
      disconnect: () => producer.disconnect(),
      send: async (record) => {
        const fault = this.sendFaults.shift();
        if (fault === 'refused') throw new InjectedFault('send refused before reaching the broker');
        const metadata = await producer.send(record);
        if (fault === 'ack-lost') throw new InjectedFault('broker stored the batch but the acknowledgement was lost');
        return metadata;
      },
    };
  }

  consumer(config: ConsumerConfig): KafkaConsumer {
    const consumer = this.inner.consumer(config);
    return {
      connect: () => consumer.connect(),
      disconnect: () => consumer.disconnect(),
      subscribe: (subscription) => consumer.subscribe(subscription),
      run: (runConfig) => consumer.run(runConfig),
      stop: () => consumer.stop(),
      seek: (offset) => consumer.seek(offset),
      on: consumer.on.bind(consumer),
      events: consumer.events,
      commitOffsets: async (offsets) => {
        if (this.commitFaults > 0) {
          this.commitFaults -= 1;
          throw new InjectedFault('offset commit lost');
        }
        return consumer.commitOffsets(offsets);
      },
    };
  }

  admin(config?: AdminConfig): KafkaAdmin {
    return this.inner.admin(config);
  }
}
