import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  type AllStreamResolvedEvent,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import { InvalidAppendError } from '../errors';
import type { EventStore, ReadAllOptions, ReadStreamOptions, RecordedEvent, SubscribeOptions, Subscription } from '../event-store';
import { StreamAppender, readStreamEvents } from './append';
import { comparePositions, isSystemEvent, toRecordedEvent, validateAppends } from './mapping';
import { AllStreamBatches } from './subscription';

export interface EventStoreDbStoreOptions {
  /** e.g. `esdb://localhost:2113?tls=false` */
  readonly connectionString: string;
}

const PAGE_SIZE = 500;

/** Connects and checks that $all can be read before handing the store out. */
export async function createEventStoreDbStore(options: EventStoreDbStoreOptions): Promise<EventStore> {
  const client = EventStoreDBClient.connectionString(options.connectionString);
  const appender = new StreamAppender(client);
  const subscriptions = new Set<Subscription>();
  let closing: Promise<void> | undefined;

  const headPosition = async (): Promise<number> => {
    let from: ReadPosition = END;
    for (;;) {
      const page = await readAllPage(client, from, BACKWARDS, PAGE_SIZE);
      const newest = page.find((resolved) => resolved.event && !isSystemEvent(resolved.event));
      if (newest?.event) return Number(newest.event.position.commit);
      if (page.length < PAGE_SIZE) return 0;
      from = page[page.length - 1].event!.position;
    }
  };

  const store: EventStore = {
    atomicAcrossStreams: false,

    async append(streamId, events, expectedRevision = 'any') {
      validateAppends([{ streamId, expectedRevision, events }]);
      return appender.append(streamId, events, expectedRevision);
    },

    async appendMany(appends) {
      validateAppends(appends);
      // One stream after another: EventStoreDB has no transaction spanning streams.
      const results = [];
      for (const { streamId, events, expectedRevision } of appends) {
        results.push(await appender.append(streamId, events, expectedRevision));
      }
      return results;
    },

    async readStream(streamId: string, { direction = 'forwards', fromRevision, maxCount }: ReadStreamOptions = {}) {
      checkCount(maxCount, 'maxCount');
      checkCount(fromRevision, 'fromRevision');
      if (maxCount === 0) return [];
      const start = fromRevision === undefined ? (direction === 'forwards' ? START : END) : BigInt(fromRevision);
      return readStreamEvents(client.readStream(streamId, {
        direction: direction === 'forwards' ? FORWARDS : BACKWARDS,
        fromRevision: start,
        maxCount: maxCount ?? Number.MAX_SAFE_INTEGER,
      }));
    },

    async readAll({ afterPosition = 0, maxCount = Number.MAX_SAFE_INTEGER }: ReadAllOptions = {}) {
      checkCount(afterPosition, 'afterPosition');
      checkCount(maxCount, 'maxCount');
      const events: RecordedEvent[] = [];
      // $all reads from a position include the event at it; {p, p} is the position of the event at p.
      let after: Position = { commit: BigInt(afterPosition), prepare: BigInt(afterPosition) };
      let from: ReadPosition = afterPosition === 0 ? START : after;
      while (events.length < maxCount) {
        const requested = Math.min(maxCount - events.length + 1, PAGE_SIZE);
        const page = await readAllPage(client, from, FORWARDS, requested);
        for (const { event } of page) {
          if (!event || comparePositions(event.position, after) <= 0) continue;
          after = event.position;
          if (!isSystemEvent(event) && events.length < maxCount) events.push(toRecordedEvent(event));
        }
        if (page.length < requested) break;
        from = after;
      }
      return events;
    },

    headPosition,

    subscribeToAll(subscribeOptions: SubscribeOptions) {
      const subscription = new AllStreamBatches(client, subscribeOptions, headPosition);
      subscriptions.add(subscription);
      void subscription.closed.catch(() => undefined).finally(() => subscriptions.delete(subscription));
      return subscription;
    },

    close() {
      closing ??= (async () => {
        await Promise.all([...subscriptions].map((subscription) => subscription.stop()));
        await client.dispose();
      })();
      return closing;
    },
  };

  try {
    await headPosition();
  } catch (error) {
    await client.dispose();
    throw error;
  }
  return store;
}

async function readAllPage(
  client: EventStoreDBClient,
  fromPosition: ReadPosition,
  direction: typeof FORWARDS | typeof BACKWARDS,
  maxCount: number,
): Promise<AllStreamResolvedEvent[]> {
  const page: AllStreamResolvedEvent[] = [];
  for await (const resolved of client.readAll({ fromPosition, direction, maxCount })) page.push(resolved);
  return page;
}

function checkCount(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
    throw new InvalidAppendError(`${name} must be a non-negative integer, got ${value}`);
  }
}
