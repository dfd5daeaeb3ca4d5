import { IdempotencyKeyReusedError, type FieldError } from '@rapport/platform';
import type { EventOutcome } from './record-events';

/** Where an event is, as both endpoints answer it. */
export interface EmittedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly duplicate: boolean;
}

export const emitted = ({ id, streamId, revision, position, duplicate }: EventOutcome): EmittedEvent => ({ id, streamId, revision, position, duplicate });

const reusedMessage = (outcome: EventOutcome) =>
  `already stored with other content as ${outcome.streamId} revision ${outcome.revision} (position ${outcome.position})`;

/** POST /v1/events: a known id with other content is a 409 naming the stored event, not a silent duplicate. */
export function rejectReusedId(outcome: EventOutcome): void {
  if (!outcome.reused) return;
  const { streamId, revision, position } = outcome;
  throw new IdempotencyKeyReusedError(
    `Event ${outcome.id} was stored earlier with other content (${streamId} revision ${revision}); nothing was written. Each event needs its own id.`,
    [{ path: 'id', message: reusedMessage(outcome) }],
    { streamId, revision, position },
  );
}

/**
 * POST /v1/events/batch: the other events are stored by then (an append is not undone for one
 * bad id), so the 409 names each reused id by index and carries every event's result as well.
 */
export function rejectReusedIds(outcomes: readonly EventOutcome[]): void {
  const errors: (FieldError & Pick<EventOutcome, 'streamId' | 'revision' | 'position'>)[] = [];
  outcomes.forEach((outcome, index) => {
    if (!outcome.reused) return;
    const { streamId, revision, position } = outcome;
    errors.push({ index, path: 'id', message: reusedMessage(outcome), streamId, revision, position });
  });
  if (errors.length === 0) return;
  const count = errors.length === 1 ? '1 event reuses an id' : `${errors.length} events reuse ids`;
  throw new IdempotencyKeyReusedError(
    `${count} stored earlier with other content; nothing was written for ${errors.length === 1 ? 'it' : 'them'}. The other events were stored (see events).`,
    errors.slice(0, 200),
    { events: outcomes.map(emitted) },
  );
}
