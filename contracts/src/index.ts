export {
  catalogue,
  decidingService,
  EMITTABLE_EVENT_TYPES,
  EVENT_TYPES,
  fromRecordedEvent,
  fromRecordedLoyaltyEvent,
  isEventType,
  isLoyaltyEventType,
  LOYALTY_EVENT_TYPES,
  loyaltyCatalogue,
  parseLoyaltyEvent,
  fromRecordedSegmentEvent,
  isSegmentEventType,
  parseSegmentEvent,
  SEGMENT_EVENT_TYPES,
  segmentCatalogue,
  type SegmentEvent,
  type SegmentEventType,
  type StoredSegmentEvent,
  type LoyaltyEvent,
  type LoyaltyEventOf,
  type LoyaltyEventType,
  type StoredLoyaltyEvent,
  parseEvent,
  parseDecidedEvent,
  type EventOf,
  type EventType,
  type RapportEvent,
  type StoredEvent,
} from './catalogue';
export { envelopeSchema, streamIdFor, type Actor, type Envelope, type EnvelopeHeader, type Subject } from './envelope';
export { InvalidEventError, UnknownEventTypeError, type FieldError } from './errors';
export { exampleEvent, exampleEvents, EXAMPLE_CUSTOMER_ID, type CustomerEvent, type CustomerEventOf } from './examples';
export { exampleLoyaltyEvent, exampleLoyaltyEvents } from './loyalty-examples';
export { asyncApiDocument, jsonSchemas, KAFKA_TOPIC } from './json-schemas';
export {
  createEventRegistry,
  defineEvent,
  type CatalogueEntry,
  type EventDefinition,
  type EventRegistry,
  type ParseResult,
  type Upcaster,
} from './registry';
export { isoDateTime, isStorableText, SUPPORTED_INSTANTS, UNSTORABLE_TEXT_MESSAGE, utcInstant } from './fields';
export { isPlaceholderId, outranks, PLACEHOLDER_IDS, visitorLinkOf, winningLink, type VisitorLink } from './identity';
export { toStoredEvent, type EventToStore, type RecordedEventInput } from './storage';
export * as customer from './customer';
export * as loyalty from './loyalty';
export { loyaltyStreamId } from './loyalty';
export * as orders from './orders';
export * as segments from './segments';
export { segmentStreamId } from './segments';
export * as service from './service';
export { callbackStreamId, complaintStreamId } from './service';
export * as visits from './visits';
export { ERASED_MARKERS, PERSONAL_FIELDS, erasePersonalData, personalFieldsOf, type PersonalFieldKind } from './personal-data';
export * as tracking from './tracking';
export * as merges from './merges';
export { MERGE_DECISION_TYPES, MERGES_STREAM } from './merges';
