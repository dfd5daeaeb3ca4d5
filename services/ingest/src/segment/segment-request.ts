import type { RapportEvent } from '@rapport/contracts';
import { ForbiddenError, UnauthorizedError, ValidationError, type ApiKeyStore, type FieldError, type Principal } from '@rapport/platform';
import { eventsOfMessage } from './segment-mapping';
import { isObject, MAX_BATCH_BYTES, readMessage, type ReadContext, type SegmentType } from './segment-message';

const BASIC = /^Basic +([A-Za-z0-9+/=_-]+) *$/i;
const BEARER = /^Bearer +(\S+) *$/i;
const MAX_REPORTED_ERRORS = 200;
const AUTH_HELP = 'Send the emitter API key as the Basic auth user with an empty password (as Segment SDKs send a writeKey), or as "writeKey" in the body.';

/**
 * Segment's authentication: the write key is the Basic-auth user (password empty), or
 * `writeKey` in the body. Here a write key is a Rapport API key with role emitter (or admin).
 */
export async function authenticateWriteKey(apiKeys: ApiKeyStore, authorization: string | string[] | undefined, body: unknown): Promise<Principal> {
  let key: string | undefined;
  if (authorization !== undefined) {
    const header = typeof authorization === 'string' ? authorization : '';
    const basic = BASIC.exec(header);
    const bearer = BEARER.exec(header);
    if (basic) key = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':')[0];
    else if (bearer) key = bearer[1];
    else throw new UnauthorizedError(`The Authorization header is not Basic or Bearer. ${AUTH_HELP}`);
  } else if (isObject(body) && typeof body.writeKey === 'string') {
    key = body.writeKey;
  }
  if (!key) throw new UnauthorizedError(`A write key is required. ${AUTH_HELP}`);
  const principal = await apiKeys.authenticate(key);
  if (!principal) throw new UnauthorizedError('The write key is unknown or has been revoked.');
  if (principal.role !== 'emitter' && principal.role !== 'admin') {
    throw new ForbiddenError(`A key with role "${principal.role}" may not send events; allowed: admin, emitter.`);
  }
  return principal;
}

/**
 * The body of /v1/track, /v1/identify, … (one message of that type) or /v1/batch (`{ batch: [...] }`)
 * to contract events, all or nothing: any bad message rejects the request, naming each problem
 * as `batch.<index>.<field>` (or `<field>` for a single message).
 */
export function segmentRequestEvents(body: unknown, type: SegmentType | 'batch', source: string, context: Omit<ReadContext, 'batchSentAt'>): RapportEvent[] {
  if (!isObject(body)) throw new ValidationError([{ path: '', message: type === 'batch' ? 'expected an object { "batch": [ ... ] }' : 'expected a message object' }]);
  const size = Buffer.byteLength(JSON.stringify(body));
  if (size > MAX_BATCH_BYTES) throw new ValidationError([{ path: '', message: `request is ${size} bytes; the limit is ${MAX_BATCH_BYTES} bytes (500 KB)` }]);

  if (type !== 'batch') {
    const events = messageEvents(body, type, source, context, '');
    if (!events.ok) throw new ValidationError(events.errors);
    return events.events;
  }
  const { batch } = body;
  if (!Array.isArray(batch)) throw new ValidationError([{ path: 'batch', message: batch === undefined ? 'required' : 'must be an array of messages' }]);
  if (batch.length === 0) throw new ValidationError([{ path: 'batch', message: 'must hold at least 1 message' }]);
  const errors: FieldError[] = [];
  const events: RapportEvent[] = [];
  const seen = new Set<string>();
  batch.forEach((raw, index) => {
    const result = messageEvents(raw, undefined, source, { ...context, batchSentAt: body.sentAt }, `batch.${index}`);
    if (!result.ok) {
      for (const error of result.errors) errors.push({ ...error, index });
      return;
    }
    // The same message twice in one request is one message, as a retry would be.
    for (const event of result.events) if (!seen.has(event.id)) seen.add(event.id) && events.push(event);
  });
  if (errors.length > MAX_REPORTED_ERRORS) throw new ValidationError([...errors.slice(0, MAX_REPORTED_ERRORS), { path: '', message: `and ${errors.length - MAX_REPORTED_ERRORS} more errors` }]);
  if (errors.length > 0) throw new ValidationError(errors);
  return events;
}

function messageEvents(raw: unknown, type: SegmentType | undefined, source: string, context: ReadContext, prefix: string) {
  const at = (errors: FieldError[]) => errors.map((error) => ({ path: [prefix, error.path].filter(Boolean).join('.'), message: error.message }));
  const read = readMessage(raw, type, context);
  if (!read.ok) return { ok: false as const, errors: at(read.errors) };
  const mapped = eventsOfMessage(read.message, source);
  return mapped.ok ? mapped : { ok: false as const, errors: at(mapped.errors) };
}
