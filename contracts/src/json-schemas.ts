import { z } from 'zod';
import {
  catalogue,
  EVENT_TYPES,
  LOYALTY_EVENT_TYPES,
  loyaltyCatalogue,
  SEGMENT_EVENT_TYPES,
  segmentCatalogue,
  type EventType,
  type LoyaltyEventType,
  type SegmentEventType,
} from './catalogue';
import type { CatalogueEntry } from './registry';

export type JsonSchema = Record<string, unknown>;

export type PublishedEventType = EventType | LoyaltyEventType | SegmentEventType;

/** The Kafka topic every customer event is published to. */
export const KAFKA_TOPIC = 'rapport.customer-events.v1';

const KAFKA_BINDING_VERSION = '0.5.0';

/** Every type the relay can publish: emitted customer facts and the loyalty and segments services' decisions. */
export const PUBLISHED_EVENT_TYPES: readonly PublishedEventType[] = [...EVENT_TYPES, ...LOYALTY_EVENT_TYPES, ...SEGMENT_EVENT_TYPES];

/** JSON Schema of the full envelope of one version of one type, as emitters send it. */
export function eventJsonSchema(
  entry: CatalogueEntry,
  version: number,
  target: 'draft-2020-12' | 'draft-07' = 'draft-2020-12',
): JsonSchema {
  const { $schema, ...schema } = z.toJSONSchema(entry.schemas[version], { io: 'input', target }) as JsonSchema;
  return {
    $schema,
    $id: `urn:rapport:event:${entry.type}:v${version}`,
    title: `${entry.type} v${version}`,
    ...schema,
  };
}

/** JSON Schema (draft 2020-12) of every event type at its latest version. */
export function jsonSchemas(): Record<PublishedEventType, JsonSchema> {
  return Object.fromEntries(
    PUBLISHED_EVENT_TYPES.map((type) => {
      const entry = requiredEntry(type);
      return [type, eventJsonSchema(entry, entry.latest)];
    }),
  ) as Record<PublishedEventType, JsonSchema>;
}

// On Kafka an event is always at the latest version, and Rapport adds when it received it.
function kafkaPayloadSchema(entry: CatalogueEntry): JsonSchema {
  const schema = eventJsonSchema(entry, entry.latest, 'draft-07');
  const properties = schema.properties as Record<string, JsonSchema>;
  return {
    ...schema,
    $id: `urn:rapport:kafka:${entry.type}:v${entry.latest}`,
    properties: {
      ...properties,
      version: { ...properties.version, description: 'Always the latest version: older events are upcast before publishing' },
      receivedAt: { type: 'string', format: 'date-time', description: 'When Rapport accepted the event' },
    },
    required: [...(schema.required as string[]), 'version'],
  };
}

const headersSchema = {
  type: 'object',
  description: 'Kafka record headers, UTF-8 strings',
  properties: {
    'event-id': { type: 'string', format: 'uuid', description: 'Envelope id; consumers de-duplicate on it' },
    'event-type': { type: 'string', enum: [...PUBLISHED_EVENT_TYPES] },
    'event-version': { type: 'string', pattern: '^[1-9][0-9]*$', description: 'Version of the payload' },
    stream: { type: 'string', description: 'Event store stream, e.g. customer-<customerId>' },
    position: { type: 'string', pattern: '^[0-9]+$', description: 'Global position in the event store' },
    revision: { type: 'string', pattern: '^[0-9]+$', description: 'Revision of the event in its stream' },
    'recorded-at': { type: 'string', format: 'date-time', description: 'When the event store wrote the event' },
  },
  required: ['event-id', 'event-type', 'event-version', 'stream', 'position'],
};

const keySchema = {
  type: 'string',
  description: 'customerId (anonymousId for visitors not yet known), so that each customer\'s events stay in order',
};

/** AsyncAPI 3.0 description of the customer-events topic: one message per event type. */
export function asyncApiDocument(): JsonSchema {
  const schemas: Record<string, unknown> = { EventHeaders: headersSchema };
  const messages: Record<string, unknown> = {};
  const channelMessages: Record<string, unknown> = {};
  for (const type of PUBLISHED_EVENT_TYPES) {
    const entry = requiredEntry(type);
    schemas[type] = { schemaFormat: 'application/schema+json;version=draft-07', schema: kafkaPayloadSchema(entry) };
    messages[type] = {
      name: type,
      title: type,
      contentType: 'application/json',
      headers: { $ref: '#/components/schemas/EventHeaders' },
      payload: { $ref: `#/components/schemas/${type}` },
      bindings: { kafka: { key: keySchema, bindingVersion: KAFKA_BINDING_VERSION } },
    };
    channelMessages[type] = { $ref: `#/components/messages/${type}` };
  }
  const messageRefs = PUBLISHED_EVENT_TYPES.map((type) => ({ $ref: `#/channels/customerEvents/messages/${type}` }));
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Rapport customer events',
      version: '1.0.0',
      description:
        'Every accepted customer interaction, relayed from the Rapport event store in store order. ' +
        'Keyed by customer so one customer\'s events keep their order.',
    },
    defaultContentType: 'application/json',
    channels: {
      customerEvents: {
        address: KAFKA_TOPIC,
        title: 'Customer events',
        messages: channelMessages,
        bindings: { kafka: { bindingVersion: KAFKA_BINDING_VERSION } },
      },
    },
    operations: {
      publishCustomerEvents: {
        action: 'send',
        summary: 'The relay publishes each stored event',
        channel: { $ref: '#/channels/customerEvents' },
        messages: messageRefs,
      },
      consumeCustomerEvents: {
        action: 'receive',
        summary: 'Projectors consume events in consumer groups',
        channel: { $ref: '#/channels/customerEvents' },
        messages: messageRefs,
      },
    },
    components: { schemas, messages },
  };
}

export function requiredEntry(type: PublishedEventType): CatalogueEntry {
  const entry = catalogue.entry(type) ?? loyaltyCatalogue.entry(type) ?? segmentCatalogue.entry(type);
  if (!entry) throw new Error(`${type} is listed but has no catalogue entry`);
  return entry;
}
