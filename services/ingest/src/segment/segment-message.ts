import { createHash } from 'node:crypto';
import { isPlaceholderId } from '@rapport/contracts';
import type { FieldError } from '@rapport/platform';
import { v5 as uuidv5 } from 'uuid';

/** Segment's own limits: a message over 32 KB or a request over 500 KB is refused with a 400. */
export const MAX_MESSAGE_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;

export const SEGMENT_TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;
export type SegmentType = (typeof SEGMENT_TYPES)[number];

// Fixed forever: every event id ever derived from a messageId depends on it.
const MESSAGE_ID_NAMESPACE = '6f1c5a52-3d0e-4b8e-9a57-2f4d8c1e7b90';

export type Json = Record<string, unknown>;

/** One Segment message as far as Rapport reads it; everything else in it (integrations, _metadata…) is ignored. */
export interface SegmentMessage {
  readonly type: SegmentType;
  readonly raw: Json;
  /** `customerId` when the message names a user, else `anonymousId`. */
  readonly subject: { customerId: string } | { anonymousId: string };
  /** The anonymous id next to a userId, when it is a real id (not a placeholder). */
  readonly linkedAnonymousId?: string;
  readonly occurredAt: string;
  readonly messageKey: string;
}

export interface ReadContext {
  readonly receivedAt: Date;
  /** The request's `sentAt`, used for messages that carry none of their own. */
  readonly batchSentAt?: unknown;
  readonly blockedIds: readonly string[];
}

export const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const idText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;

/** The event id of part `part` of a message: the same message always yields the same ids, so a re-send is stored once. */
export function derivedEventId(messageKey: string, part: number): string {
  return uuidv5(part === 0 ? messageKey : `${messageKey}#${part}`, MESSAGE_ID_NAMESPACE);
}

/**
 * Reads the parts every message type shares, or says what is wrong with them. `type` is the
 * endpoint's type for /v1/track etc., or the message's own in a batch.
 */
export function readMessage(raw: unknown, fixedType: SegmentType | undefined, context: ReadContext): { ok: true; message: SegmentMessage } | { ok: false; errors: FieldError[] } {
  if (!isObject(raw)) return { ok: false, errors: [{ path: '', message: 'expected a message object' }] };
  const errors: FieldError[] = [];
  const size = Buffer.byteLength(JSON.stringify(raw));
  if (size > MAX_MESSAGE_BYTES) errors.push({ path: '', message: `message is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES} bytes (32 KB)` });

  const type = fixedType ?? raw.type;
  if (typeof type !== 'string' || !(SEGMENT_TYPES as readonly string[]).includes(type)) {
    errors.push({ path: 'type', message: type === undefined ? 'required' : `unknown type ${JSON.stringify(String(type).slice(0, 50))}; expected one of ${SEGMENT_TYPES.join(', ')}` });
  }

  const userId = readId(raw, 'userId', errors, context.blockedIds);
  const anonymousId = readId(raw, 'anonymousId', errors, context.blockedIds);
  if (userId === undefined && anonymousId === undefined && !errors.some((e) => e.path === 'userId' || e.path === 'anonymousId')) {
    errors.push({ path: 'userId', message: 'userId or anonymousId is required' });
  }

  if (type === 'alias' && idText(raw.previousId) !== undefined && isPlaceholderId(idText(raw.previousId)!, context.blockedIds)) {
    errors.push({ path: 'previousId', message: `${JSON.stringify(idText(raw.previousId)!.slice(0, 50))} is a placeholder, not an id; it cannot be linked` });
  }
  const occurredAt = correctedTimestamp(raw, context, errors);
  if (errors.length > 0 || occurredAt === undefined) return { ok: false, errors };
  const messageKey = idText(raw.messageId) ?? `content:${createHash('sha256').update(JSON.stringify({ ...raw, sentAt: undefined })).digest('hex')}`;
  return {
    ok: true,
    message: {
      type: type as SegmentType,
      raw,
      subject: userId !== undefined ? { customerId: userId } : { anonymousId: anonymousId! },
      linkedAnonymousId: userId !== undefined ? anonymousId : undefined,
      occurredAt,
      messageKey,
    },
  };
}

/** A user or anonymous id: absent, a real id, or a placeholder that is refused by name. */
function readId(raw: Json, field: 'userId' | 'anonymousId', errors: FieldError[], blocked: readonly string[]): string | undefined {
  const value = raw[field];
  if (value === undefined || value === null || value === '') return undefined;
  const id = idText(value);
  if (id === undefined) {
    errors.push({ path: field, message: 'must be a string or a number' });
    return undefined;
  }
  if (isPlaceholderId(id, blocked)) {
    // A placeholder next to a real userId is only left unused; as the only id it names no one.
    if (field === 'anonymousId' && idText(raw.userId) !== undefined) return undefined;
    errors.push({ path: field, message: `${JSON.stringify(id.slice(0, 50))} is a placeholder, not an id (blocked: ${blocked.slice(0, 5).join(', ')}, all zeros…)` });
    return undefined;
  }
  return id;
}

/**
 * Segment's clock-skew correction: an emitter's clock may be wrong, but the time between its
 * `timestamp` and `sentAt` is right, so occurredAt = receivedAt − (sentAt − timestamp).
 * Without sentAt the timestamp is taken as it is; without either, when Rapport received it.
 */
function correctedTimestamp(raw: Json, context: ReadContext, errors: FieldError[]): string | undefined {
  const timestampField = raw.timestamp !== undefined ? 'timestamp' : 'originalTimestamp';
  const timestamp = readInstant(raw[timestampField], timestampField, errors);
  const sentAtField = raw.sentAt !== undefined ? 'sentAt' : undefined;
  const sentAt = readInstant(sentAtField ? raw.sentAt : context.batchSentAt, sentAtField ?? 'sentAt', errors);
  if (errors.some((e) => e.path === timestampField || e.path === 'sentAt')) return undefined;
  const received = context.receivedAt.getTime();
  const instant = timestamp === undefined ? received : sentAt === undefined ? timestamp : received - (sentAt - timestamp);
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) {
    errors.push({ path: timestampField, message: 'is too far from sentAt to give a date' });
    return undefined;
  }
  return date.toISOString();
}

function readInstant(value: unknown, path: string, errors: FieldError[]): number | undefined {
  if (value === undefined || value === null) return undefined;
  const instant = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(instant)) errors.push({ path, message: 'must be an ISO-8601 date-time' });
  return Number.isNaN(instant) ? undefined : instant;
}
