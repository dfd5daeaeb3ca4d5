import { createHash } from 'node:crypto';
import { utcInstant, type RapportEvent } from '@rapport/contracts';

/**
 * What makes an event the event it is — type, subject, occurredAt and data (at the latest version) —
 * as a SHA-256 of canonical JSON (keys sorted). occurredAt counts as the instant PostgreSQL keeps
 * (UTC, microseconds), so a retry may spell it another way. Source, correlation and the version it
 * was sent as may differ between retries of the same event, so they are left out.
 */
export function contentHash(event: RapportEvent): string {
  const subject = event.customerId !== undefined ? { customerId: event.customerId } : { anonymousId: event.anonymousId };
  const content = { type: event.type, ...subject, occurredAt: utcInstant(event.occurredAt), data: event.data };
  return `sha256:${createHash('sha256').update(canonicalJson(content)).digest('hex')}`;
}

function canonicalJson(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJson(value[i]);
    return `${out}]`;
  }
  // One sorted key list and string concatenation: this runs for every field of every event ingested.
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const child = record[key];
    if (child === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:${canonicalJson(child)}`;
    first = false;
  }
  return `${out}}`;
}
