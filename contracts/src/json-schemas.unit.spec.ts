import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportSchemas } from './export-schemas';
import {
  asyncApiDocument,
  EVENT_TYPES,
  exampleEvent,
  exampleEvents,
  jsonSchemas,
  KAFKA_TOPIC,
  type EventType,
} from './index';
import { PUBLISHED_EVENT_TYPES } from './json-schemas';

const ajv = addFormats(new Ajv2020({ allErrors: true }));
const schemas = jsonSchemas();
const validatorFor = (type: EventType) => ajv.getSchema(`urn:rapport:event:${type}:v1`) ?? ajv.compile(schemas[type]);

describe('JSON Schema export', () => {
  it('has a draft 2020-12 schema for every event type', () => {
    expect(Object.keys(schemas).sort()).toEqual([...PUBLISHED_EVENT_TYPES].sort());
    for (const type of PUBLISHED_EVENT_TYPES) {
      expect(schemas[type]).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `urn:rapport:event:${type}:v1`,
        type: 'object',
        additionalProperties: false,
      });
    }
  });

  it('accepts every valid example, with or without its version', () => {
    for (const event of exampleEvents()) {
      const validate = validatorFor(event.type);
      const { version: _version, ...withoutVersion } = event;
      expect([event.type, validate(event), validate.errors]).toEqual([event.type, true, null]);
      expect(validate(withoutVersion)).toBe(true);
    }
  });

  it('rejects what parseEvent rejects: unknown keys, both or no subject, missing feedback scores, bad money', () => {
    const validate = (event: unknown) => validatorFor((event as { type: EventType }).type)(event);
    const delivered = exampleEvent('OrderDelivered');
    const { customerId: _customer, ...noSubject } = delivered;
    const feedback = exampleEvent('FeedbackGiven');
    const order = exampleEvent('OrderPlaced');

    expect(validate({ ...delivered, occuredAt: delivered.occurredAt })).toBe(false);
    expect(validate({ ...delivered, anonymousId: 'anon-1' })).toBe(false);
    expect(validate(noSubject)).toBe(false);
    expect(validate({ ...delivered, version: 2 })).toBe(false);
    expect(validate({ ...delivered, occurredAt: '2023-02-29T10:00:00Z' })).toBe(false);
    expect(validate({ ...feedback, data: { comment: 'no score' } })).toBe(false);
    expect(validate({ ...order, data: { ...order.data, total: 33.9 } })).toBe(false);
    expect(validate({ ...order, data: { ...order.data, lines: [{ sku: 'A', quantity: 0, unitPrice: 1 }] } })).toBe(false);
  });
});

describe('AsyncAPI document', () => {
  const document = asyncApiDocument() as {
    asyncapi: string;
    channels: Record<string, { address: string; messages: Record<string, { $ref: string }> }>;
    operations: Record<string, { action: string; messages: { $ref: string }[] }>;
    components: {
      messages: Record<string, { payload: { $ref: string }; headers: { $ref: string }; bindings: unknown }>;
      schemas: Record<string, { schemaFormat?: string; schema?: object; required?: string[] }>;
    };
  };

  it('describes the customer-events topic with one message per event type', () => {
    expect(document.asyncapi).toBe('3.0.0');
    const channel = document.channels.customerEvents;
    expect(channel.address).toBe(KAFKA_TOPIC);
    expect(Object.keys(channel.messages).sort()).toEqual([...PUBLISHED_EVENT_TYPES].sort());
    expect(Object.keys(document.components.messages).sort()).toEqual([...PUBLISHED_EVENT_TYPES].sort());
    for (const type of PUBLISHED_EVENT_TYPES) {
      expect(channel.messages[type]).toEqual({ $ref: `#/components/messages/${type}` });
      expect(document.components.messages[type]).toMatchObject({
        payload: { $ref: `#/components/schemas/${type}` },
        headers: { $ref: '#/components/schemas/EventHeaders' },
        bindings: { kafka: { key: { type: 'string' } } },
      });
      expect(document.components.schemas[type].schemaFormat).toBe('application/schema+json;version=draft-07');
    }
    expect(Object.values(document.operations).map((operation) => operation.action).sort()).toEqual(['receive', 'send']);
    expect(document.operations.publishCustomerEvents.messages).toHaveLength(PUBLISHED_EVENT_TYPES.length);
  });

  it('carries event id, type, version, stream and position in the headers', () => {
    expect(document.components.schemas.EventHeaders.required).toEqual(['event-id', 'event-type', 'event-version', 'stream', 'position']);
  });

  it('has payload schemas that accept stored events with receivedAt and reject ones without a version', () => {
    const draft7 = addFormats(new Ajv({ allErrors: true }));
    for (const event of exampleEvents()) {
      const validate = draft7.compile(document.components.schemas[event.type].schema!);
      expect(validate({ ...event, receivedAt: '2024-03-20T10:00:00Z' })).toBe(true);
      const { version: _version, ...withoutVersion } = event;
      expect(validate(withoutVersion)).toBe(false);
    }
  });

  it('points every reference at something that exists', () => {
    const resolve = (ref: string) =>
      ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
    const refs = JSON.stringify(document).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(EVENT_TYPES.length * 3);
    for (const ref of refs) expect([ref, resolve(JSON.parse(`{${ref}}`).$ref) !== undefined]).toEqual([ref, true]);
  });
});

describe('export-schemas script', () => {
  it('writes one schema per type and version plus asyncapi.json', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'rapport-schemas-'));
    try {
      const written = exportSchemas(outDir);
      const files = readdirSync(outDir).sort();
      expect(files).toEqual([...PUBLISHED_EVENT_TYPES.map((type) => `${type}.v1.schema.json`), 'asyncapi.json'].sort());
      expect(written).toHaveLength(files.length);
      const placed = JSON.parse(readFileSync(join(outDir, 'OrderPlaced.v1.schema.json'), 'utf8'));
      expect(placed).toEqual(schemas.OrderPlaced);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});
