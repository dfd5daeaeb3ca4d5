import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { fromRecordedEvent } from '@rapport/contracts';
import type { RecordedEvent } from '@rapport/event-store';
import { PoisonMessageError } from './errors';

/**
 * Record headers, as the contracts' AsyncAPI document names them; `revision` and
 * `recorded-at` are Rapport's additions so a consumer can rebuild the stored event exactly.
 */
export const HEADERS = {
  id: 'event-id',
  type: 'event-type',
  version: 'event-version',
  stream: 'stream',
  position: 'position',
  revision: 'revision',
  recordedAt: 'recorded-at',
} as const;

/** Fields of the payload that are not metadata when the event is rebuilt. */
const BODY_KEYS = new Set(['id', 'type', 'data']);

export interface OutgoingMessage {
  readonly message: Message;
  /**
   * Why the event went out as stored instead of upcast to its latest version: its type is
   * not in the catalogue (a service's own decision event) or it breaks its contract.
   */
  readonly notUpcast?: string;
}

/**
 * The payload is the envelope at its type's latest version plus `receivedAt`, as the
 * AsyncAPI document describes it; where the stream lives and its place in the log travel
 * in headers. The key is the customer (or visitor), so one customer's events share a partition.
 */
export function toKafkaMessage(event: RecordedEvent): OutgoingMessage {
  let payload: Record<string, unknown>;
  let notUpcast: string | undefined;
  try {
    const { streamId: _stream, revision: _revision, position: _position, ...envelope } = fromRecordedEvent(event);
    payload = envelope;
  } catch (error) {
    notUpcast = error instanceof Error ? error.message : String(error);
    payload = { ...event.metadata, id: event.id, type: event.type, data: event.data };
  }
  const version = typeof payload.version === 'number' ? payload.version : 1;
  const headers: IHeaders = {
    [HEADERS.id]: event.id,
    [HEADERS.type]: event.type,
    [HEADERS.version]: String(version),
    [HEADERS.stream]: event.streamId,
    [HEADERS.position]: String(event.position),
    [HEADERS.revision]: String(event.revision),
    [HEADERS.recordedAt]: event.recordedAt,
  };
  return {
    message: { key: partitionKey(payload, event.streamId), value: JSON.stringify(payload), headers },
    ...(notUpcast ? { notUpcast } : {}),
  };
}

function partitionKey(payload: Record<string, unknown>, streamId: string): string {
  if (typeof payload.customerId === 'string' && payload.customerId !== '') return payload.customerId;
  if (typeof payload.anonymousId === 'string' && payload.anonymousId !== '') return payload.anonymousId;
  return streamId;
}

/** What a consumer can tell about a message before trusting it: enough to park or dead-letter it. */
export interface MessageIdentity {
  readonly id?: string;
  readonly type?: string;
  readonly streamId?: string;
  readonly revision?: number;
  readonly position?: number;
}

export function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const single = Array.isArray(value) ? value[0] : value;
  if (single === undefined) return undefined;
  return Buffer.isBuffer(single) ? single.toString('utf8') : single;
}

export function identityOf(message: KafkaMessage): MessageIdentity {
  const count = (name: string) => {
    const text = headerText(message.headers, name);
    return text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
  };
  return {
    id: headerText(message.headers, HEADERS.id),
    type: headerText(message.headers, HEADERS.type),
    streamId: headerText(message.headers, HEADERS.stream),
    revision: count(HEADERS.revision),
    position: count(HEADERS.position),
  };
}

/**
 * Rebuilds the recorded event a message was made from. `checkpoint` is the offset after
 * this message, where a consumer resumes. Throws PoisonMessageError for anything that is
 * not a Rapport event message.
 */
export function fromKafkaMessage(message: KafkaMessage): RecordedEvent {
  const identity = identityOf(message);
  const missing = (['id', 'type', 'streamId', 'revision', 'position'] as const).filter((field) => identity[field] === undefined);
  if (missing.length > 0) throw new PoisonMessageError(`missing or invalid headers: ${missing.map(headerNameOf).join(', ')}`);
  if (message.value === null) throw new PoisonMessageError('empty value (tombstone)');

  let payload: unknown;
  try {
    payload = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    throw new PoisonMessageError(`value is not JSON: ${(error as Error).message}`);
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new PoisonMessageError('value is not a JSON object');
  const body = payload as Record<string, unknown>;
  if (body.id !== identity.id) throw new PoisonMessageError(`payload id ${String(body.id)} differs from header ${HEADERS.id} ${identity.id}`);
  if (body.type !== identity.type) throw new PoisonMessageError(`payload type ${String(body.type)} differs from header ${HEADERS.type} ${identity.type}`);

  const metadata = Object.fromEntries(Object.entries(body).filter(([key]) => !BODY_KEYS.has(key)));
  const receivedAt = typeof body.receivedAt === 'string' ? body.receivedAt : undefined;
  return {
    id: identity.id!,
    type: identity.type!,
    streamId: identity.streamId!,
    revision: identity.revision!,
    position: identity.position!,
    data: body.data,
    metadata,
    recordedAt: headerText(message.headers, HEADERS.recordedAt) ?? receivedAt ?? new Date(Number(message.timestamp)).toISOString(),
    checkpoint: String(Number(message.offset) + 1),
  };
}

function headerNameOf(field: keyof MessageIdentity): string {
  return field === 'streamId' ? HEADERS.stream : HEADERS[field];
}
