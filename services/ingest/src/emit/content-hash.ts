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
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, child]) => child !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, child]) => `${JSON.stringify(key)}:${canonicalJson(child)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
