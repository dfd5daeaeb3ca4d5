import { ERASED_MARKERS, personalFieldsOf } from '@rapport/contracts';
import type { EventStore, EventToAppend, ExpectedRevision, RecordedEvent, StreamAppend } from '@rapport/event-store';
import type { Pool } from 'pg';
import { isSealed, open, seal } from './cipher';
import { Keyring, type DataKey } from './keyring';
import type { MasterKeys } from './master-keys';

const customerOf = (metadata: Readonly<Record<string, unknown>> | undefined) => (typeof metadata?.customerId === 'string' ? metadata.customerId : undefined);
const contextOf = (customerId: string, type: string, field: string) => `${customerId}:${type}.${field}`;

/** Customers whose events carry personal fields, among these events. */
function customersWithPersonalData(events: readonly { type: string; metadata?: Readonly<Record<string, unknown>> }[]): string[] {
  return [...new Set(events.flatMap((event) => (personalFieldsOf(event.type) ? [customerOf(event.metadata)].filter((id): id is string => id !== undefined) : [])))];
}

function transformFields(type: string, data: unknown, change: (field: string, value: string, kind: keyof typeof ERASED_MARKERS) => string): unknown {
  const fields = personalFieldsOf(type);
  if (!fields || typeof data !== 'object' || data === null) return data;
  const copy: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const [field, kind] of Object.entries(fields)) {
    const value = copy[field];
    if (typeof value === 'string') copy[field] = change(field, value, kind);
  }
  return copy;
}

/** Seals the personal fields with the customer's key; an erased customer's new events get the markers, never plain text. */
export function sealEvent(event: EventToAppend, key: DataKey | undefined): EventToAppend {
  const customerId = customerOf(event.metadata);
  if (customerId === undefined || key === undefined) return event;
  const data = transformFields(event.type, event.data, (field, value, kind) =>
    key.state === 'destroyed' ? ERASED_MARKERS[kind] : seal(key.key, value, contextOf(customerId, event.type, field)),
  );
  return { ...event, data };
}

/** Opens sealed fields; with the key destroyed (or never made) every personal field reads as its marker. */
export function openEvent(event: RecordedEvent, key: DataKey | undefined): RecordedEvent {
  const customerId = customerOf(event.metadata);
  if (customerId === undefined || !personalFieldsOf(event.type)) return event;
  const data = transformFields(event.type, event.data, (field, value, kind) => {
    if (key?.state === 'active') return isSealed(value) ? open(key.key, value, contextOf(customerId, event.type, field)) : value;
    return key?.state === 'destroyed' || isSealed(value) ? ERASED_MARKERS[kind] : value;
  });
  return { ...event, data };
}

/** Opens the sealed fields of these events (each keeps its other properties), one key lookup for the lot. */
export async function openEvents<E extends RecordedEvent>(events: readonly E[], keyring: Keyring): Promise<E[]> {
  const customers = customersWithPersonalData(events);
  if (customers.length === 0) return events as E[];
  const keys = await keyring.keysFor(customers, false);
  return events.map((event) => openEvent(event, keys.get(customerOf(event.metadata) ?? '')) as E);
}

/**
 * The event store with personal fields encrypted at rest: what is appended is sealed with each
 * customer's data key, what is read (streams, $all, subscriptions) is opened again. The store
 * underneath (and the relay reading it, so Kafka too) only ever holds ciphertext.
 */
export function encryptPersonalData(store: EventStore, keyring: Keyring): EventStore {
  const sealAll = async (events: readonly EventToAppend[]) => {
    const keys = await keyring.keysFor(customersWithPersonalData(events), true);
    return events.map((event) => sealEvent(event, keys.get(customerOf(event.metadata) ?? '')));
  };
  const openAll = (events: readonly RecordedEvent[]) => openEvents(events, keyring);
  return {
    get atomicAcrossStreams() {
      return store.atomicAcrossStreams;
    },
    async append(streamId: string, events: readonly EventToAppend[], expectedRevision?: ExpectedRevision) {
      return store.append(streamId, await sealAll(events), expectedRevision);
    },
    async appendMany(appends: readonly StreamAppend[]) {
      const sealed = await sealAll(appends.flatMap((append) => append.events));
      let next = 0;
      return store.appendMany(appends.map((append) => ({ ...append, events: append.events.map(() => sealed[next++]!) })));
    },
    async readStream(streamId, options) {
      return openAll(await store.readStream(streamId, options));
    },
    async readAll(options) {
      return openAll(await store.readAll(options));
    },
    headPosition: () => store.headPosition(),
    subscribeToAll(options) {
      return store.subscribeToAll({ ...options, onEvents: async (events) => options.onEvents(await openAll(events)) });
    },
    close: () => store.close(),
  };
}

/**
 * The keyring on `pool` (its schema created if missing) and `store` wrapped by it: how a process
 * that appends or projects customer events opens its store.
 */
export async function sealedStore(store: EventStore, pool: Pool, masterKeys: MasterKeys): Promise<{ store: EventStore; keyring: Keyring }> {
  const keyring = new Keyring(pool, masterKeys);
  await keyring.migrate();
  return { store: encryptPersonalData(store, keyring), keyring };
}
