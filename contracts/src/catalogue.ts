import { customerEvents } from './customer';
import type { RecordedEventInput, Stored } from './storage';
import { orderEvents } from './orders';
import { createEventRegistry, type EventUnion, type ParseResult } from './registry';
import { serviceEvents } from './service';
import { visitEvents } from './visits';

const definitions = {
  ...customerEvents,
  ...visitEvents,
  ...orderEvents,
  ...serviceEvents,
};

/** Every event type Rapport accepts, with its versions, schemas and upcasters. */
export const catalogue = createEventRegistry(definitions);

export type EventType = keyof typeof definitions;
export type RapportEvent = EventUnion<typeof definitions>;
export type EventOf<T extends EventType> = Extract<RapportEvent, { type: T }>;
/** An event read back from the store: latest version, plus where and when it was stored. */
export type StoredEvent = Stored<RapportEvent>;

export const EVENT_TYPES: readonly EventType[] = catalogue.types;

export function isEventType(type: string): type is EventType {
  return catalogue.isEventType(type);
}

/** Validates one emitted event; never throws. Older versions are accepted and upcast. */
export function parseEvent(input: unknown): ParseResult<RapportEvent> {
  return catalogue.parseEvent(input);
}

/** Reads a stored event back at the latest version of its type. */
export function fromRecordedEvent(recorded: RecordedEventInput): StoredEvent {
  return catalogue.fromRecordedEvent(recorded);
}
