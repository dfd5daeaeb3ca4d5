import { parseEvent, type RapportEvent } from '@rapport/contracts';
import { ValidationError, type FieldError } from '@rapport/platform';

export const MAX_BATCH_EVENTS = 1000;
// A batch of 1,000 broken events could otherwise answer with 50,000 field errors.
const MAX_REPORTED_ERRORS = 200;

/** Body of POST /v1/events: exactly one event. */
export function parseEmitRequest(body: unknown): RapportEvent {
  const result = parseEvent(body);
  if (!result.ok) throw new ValidationError(result.errors);
  return result.event;
}

/**
 * Body of POST /v1/events/batch: `{ events: [...] }` with 1–1,000 valid events and no id
 * twice. Any bad item rejects the whole batch, naming every problem with its index.
 */
export function parseBatchRequest(body: unknown): RapportEvent[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError([{ path: '', message: 'expected an object { "events": [ ... ] }' }]);
  }
  const errors: FieldError[] = Object.keys(body)
    .filter((key) => key !== 'events')
    .map((key) => ({ path: key.slice(0, 100), message: 'unknown field' }));
  const { events } = body as { events?: unknown };
  if (!Array.isArray(events)) {
    errors.push({ path: 'events', message: events === undefined ? 'required' : 'must be an array of events' });
  } else if (events.length === 0) {
    errors.push({ path: 'events', message: 'must hold at least 1 event' });
  } else if (events.length > MAX_BATCH_EVENTS) {
    errors.push({ path: 'events', message: `must hold at most ${MAX_BATCH_EVENTS} events, got ${events.length}` });
  }
  if (errors.length > 0 || !Array.isArray(events)) throw new ValidationError(capped(errors));

  const parsed: RapportEvent[] = [];
  const firstIndexOfId = new Map<string, number>();
  events.forEach((input, index) => {
    const result = parseEvent(input);
    if (!result.ok) {
      for (const error of result.errors) errors.push({ index, path: error.path, message: error.message });
      return;
    }
    // The store compares ids case-insensitively, so must we.
    const id = result.event.id.toLowerCase();
    const first = firstIndexOfId.get(id);
    if (first === undefined) firstIndexOfId.set(id, index);
    else errors.push({ index, path: 'id', message: `same id as event ${first} of this batch; each event needs its own id` });
    parsed.push(result.event);
  });
  if (errors.length > 0) throw new ValidationError(capped(errors));
  return parsed;
}

function capped(errors: FieldError[]): FieldError[] {
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  return [...errors.slice(0, MAX_REPORTED_ERRORS), { path: '', message: `and ${errors.length - MAX_REPORTED_ERRORS} more errors` }];
}
