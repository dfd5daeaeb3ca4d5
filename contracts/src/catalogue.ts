import { customerDecisions, customerEvents } from './customer';
import { loyaltyDecisions, loyaltyEvents } from './loyalty';
import { mergeDecisions, mergeEvents } from './merges';
import type { RecordedEventInput, Stored } from './storage';
import { orderEvents } from './orders';
import { createEventRegistry, type Decider, type EventUnion, type ParseResult } from './registry';
import { segmentDecisions, segmentEvents } from './segments';
import { serviceDecisions, serviceEvents } from './service';
import { trackingEvents } from './tracking';
import { visitEvents } from './visits';

const definitions = {
  ...customerEvents,
  ...visitEvents,
  ...orderEvents,
  ...serviceEvents,
  ...trackingEvents,
  ...mergeEvents,
};

/** Every event type Rapport accepts, with its versions, schemas and upcasters. */
export const catalogue = createEventRegistry(definitions);

export type EventType = keyof typeof definitions;
export type RapportEvent = EventUnion<typeof definitions>;
export type EventOf<T extends EventType> = Extract<RapportEvent, { type: T }>;
/** An event read back from the store: latest version, plus where and when it was stored. */
export type StoredEvent = Stored<RapportEvent>;

export const EVENT_TYPES: readonly EventType[] = catalogue.types;

/** Every type a Rapport service decides, from what each family declares, and who decides it (and how). */
const DECIDED_BY: ReadonlyMap<string, Decider> = new Map(Object.entries({ ...customerDecisions, ...serviceDecisions, ...loyaltyDecisions, ...segmentDecisions, ...mergeDecisions }));

/** The service that decides `type` (emitters may not send it), or undefined for a fact emitters report. */
export function decidingService(type: string): string | undefined {
  return DECIDED_BY.get(type)?.service;
}

/** The types emitters may send: every catalogue type no service decides. */
export const EMITTABLE_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.filter((type) => !DECIDED_BY.has(type));

export function isEventType(type: string): type is EventType {
  return catalogue.isEventType(type);
}

/** Validates one emitted event; never throws. Older versions are accepted and upcast. */
export function parseEvent(input: unknown): ParseResult<RapportEvent> {
  const result = catalogue.parseEvent(input);
  // Only read the type once the registry has: hostile input may throw from its getters.
  // Decided types outside this catalogue (loyalty, segments) fail as unknown types first.
  if (!result.ok && result.errors[0]?.path !== 'type') return result;
  const type = result.ok ? result.event.type : (input as { type: unknown }).type;
  const decider = typeof type === 'string' ? DECIDED_BY.get(type) : undefined;
  if (decider === undefined) return result;
  const how = decider.through === undefined ? `by the ${decider.service} service` : `through ${decider.through}`;
  return { ok: false, errors: [{ path: 'type', message: `${type} is decided ${how} and cannot be emitted` }] };
}

/** Reads a stored event back at the latest version of its type. */
export function fromRecordedEvent(recorded: RecordedEventInput): StoredEvent {
  return catalogue.fromRecordedEvent(recorded);
}

/** Validates an event a Rapport service decided (e.g. CustomerErased) before it appends it; never throws. */
export function parseDecidedEvent(input: unknown): ParseResult<RapportEvent> {
  return catalogue.parseEvent(input);
}

/** The loyalty service's own decisions, stored in `loyalty-<customerId>`; never accepted from emitters. */
export const loyaltyCatalogue = createEventRegistry(loyaltyEvents);

export type LoyaltyEventType = keyof typeof loyaltyEvents;
export type LoyaltyEvent = EventUnion<typeof loyaltyEvents>;
export type LoyaltyEventOf<T extends LoyaltyEventType> = Extract<LoyaltyEvent, { type: T }>;
export type StoredLoyaltyEvent = Stored<LoyaltyEvent>;

export const LOYALTY_EVENT_TYPES: readonly LoyaltyEventType[] = loyaltyCatalogue.types;

export function isLoyaltyEventType(type: string): type is LoyaltyEventType {
  return loyaltyCatalogue.isEventType(type);
}

/** Validates a loyalty event the loyalty service is about to append; never throws. */
export function parseLoyaltyEvent(input: unknown): ParseResult<LoyaltyEvent> {
  return loyaltyCatalogue.parseEvent(input);
}

/** Reads a stored loyalty event back at the latest version of its type. */
export function fromRecordedLoyaltyEvent(recorded: RecordedEventInput): StoredLoyaltyEvent {
  return loyaltyCatalogue.fromRecordedEvent(recorded);
}

/** The segments service's own decisions, stored in `segment-<customerId>`; never accepted from emitters. */
export const segmentCatalogue = createEventRegistry(segmentEvents);

export type SegmentEventType = keyof typeof segmentEvents;
export type SegmentEvent = EventUnion<typeof segmentEvents>;
export type StoredSegmentEvent = Stored<SegmentEvent>;

export const SEGMENT_EVENT_TYPES: readonly SegmentEventType[] = segmentCatalogue.types;

export function isSegmentEventType(type: string): type is SegmentEventType {
  return segmentCatalogue.isEventType(type);
}

/** Validates a segment event the segments service is about to append; never throws. */
export function parseSegmentEvent(input: unknown): ParseResult<SegmentEvent> {
  return segmentCatalogue.parseEvent(input);
}

/** Reads a stored segment event back at the latest version of its type. */
export function fromRecordedSegmentEvent(recorded: RecordedEventInput): StoredSegmentEvent {
  return segmentCatalogue.fromRecordedEvent(recorded);
}
