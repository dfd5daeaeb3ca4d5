import { callbackStreamId, catalogue, complaintStreamId, fromRecordedEvent, toStoredEvent, type Actor, type RapportEvent } from '@rapport/contracts';
import { ConcurrencyError, type EventStore, type StreamAppend } from '@rapport/event-store';
import { IdempotencyKeyReusedError, ConcurrencyError as StaleCaseError, IllegalStateError, ValidationError } from '@rapport/platform';
import type { Database } from '@rapport/projections';
import { COMMAND_EVENT, decide, derivedId, type CaseCommand, type Draft } from '../case/decide';
import { evolve, fold, type CaseEvent, type CaseKind, type CaseState } from '../case/state';
import { toCaseEvent, type CaseEventRow } from '../read-model/projection';

export interface Clock {
  now(): Date;
}

export interface CommandContext {
  readonly db: Database;
  readonly store: EventStore;
  readonly clock: Clock;
}

export interface CommandAnswer {
  readonly caseId: string;
  readonly kind: CaseKind;
  readonly status: string;
  /** The stream revision after the command: send it back as If-Match to act only on this version. */
  readonly revision: number;
  readonly eventIds: readonly string[];
  /** True when the Idempotency-Key was seen before: nothing new was appended. */
  readonly replayed: boolean;
}

export interface CommandRequest {
  readonly caseKind: CaseKind;
  readonly sourceId: string;
  readonly command: CaseCommand;
  readonly idempotencyKey: string;
  readonly actor?: Actor;
  /** From If-Match: act only if the case's stream is still at this revision (-1: no stream yet). */
  readonly expectedRevision?: number;
}

const MAX_ATTEMPTS = 10;

export const streamOf = (kind: CaseKind, id: string) => (kind === 'complaint' ? complaintStreamId(id) : callbackStreamId(id));

interface LoadedCase {
  readonly state: CaseState;
  readonly revision: number;
  /** The case's events in time order, outside facts and its own stream. */
  readonly events: readonly CaseEvent[];
}

/**
 * Everything known about a case: outside facts from the read model (they live in customer
 * streams) and the case's own stream, read from the store so its revision is exact.
 */
export async function loadCase(context: CommandContext, kind: CaseKind, sourceId: string): Promise<LoadedCase> {
  const streamId = streamOf(kind, sourceId);
  const [recorded, outside] = await Promise.all([
    context.store.readStream(streamId),
    context.db.query<CaseEventRow & { position: string }>(
      `SELECT case_id, event_id, type, occurred_at, customer_id, actor, data, position FROM cases.case_events WHERE case_id = $1 AND stream_id <> $1`,
      [streamId],
    ),
  ]);
  const own = recorded.map((event) => {
    const stored = fromRecordedEvent(event);
    return { position: stored.position, event: { id: stored.id, type: stored.type, occurredAt: stored.occurredAt, data: stored.data, customerId: stored.customerId, actor: stored.actor } as CaseEvent };
  });
  const all = [...outside.map((row) => ({ position: Number(row.position), event: toCaseEvent(row) })), ...own];
  all.sort((a, b) => Date.parse(a.event.occurredAt) - Date.parse(b.event.occurredAt) || a.position - b.position);
  const events = all.map((entry) => entry.event);
  return { state: fold(events), revision: recorded.length > 0 ? recorded[recorded.length - 1].revision : -1, events };
}

/**
 * Read (outside facts + own stream) → fold → decide → append with the expected revision.
 * Another writer in between means read and decide again, unless the caller pinned a
 * revision with If-Match: then the stale revision is the answer (409).
 */
export async function runCaseCommand(context: CommandContext, request: CommandRequest): Promise<CommandAnswer> {
  const { caseKind, sourceId, command, idempotencyKey } = request;
  const streamId = streamOf(caseKind, sourceId);
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const { state, revision, events: history } = await loadCase(context, caseKind, sourceId);
    if (request.expectedRevision !== undefined && request.expectedRevision !== revision) {
      throw new StaleCaseError(`The ${caseKind} '${sourceId}' changed: it is at revision ${revision}, not ${request.expectedRevision}. Read it again.`);
    }
    const idOf = (index: number) => derivedId(streamId, idempotencyKey, String(index));
    if (state.eventIds.includes(idOf(0))) {
      assertSameCommand(request, history.find((event) => event.id === idOf(0))!);
      return { caseId: streamId, kind: caseKind, status: state.status, revision, eventIds: state.eventIds.filter((id) => id === idOf(0) || id === idOf(1)), replayed: true };
    }
    const now = context.clock.now().toISOString();
    const drafts = decide(command, state, sourceId, now);
    if (drafts.length === 0) return { caseId: streamId, kind: caseKind, status: state.status, revision, eventIds: [], replayed: false };
    const customerId = command.kind === 'file' || command.kind === 'request' ? command.customerId : state.customerId;
    if (!customerId) throw new IllegalStateError(`The ${caseKind} '${sourceId}' has no known customer, so nothing can be recorded for it.`);
    const events = drafts.map((draft, index) => envelopeOf(draft, idOf(index), customerId, now, request.actor));
    const appends = new Map<string, StreamAppend>();
    events.forEach((event, index) => {
      const target = streamOf(drafts[index].caseKind, drafts[index].caseId);
      const existing = appends.get(target);
      const stored = toStoredEvent(event, now);
      // A follow-up callback's stream is new; a re-run finds it by the derived ids.
      if (existing) (existing.events as unknown[]).push(stored);
      else appends.set(target, { streamId: target, expectedRevision: target === streamId ? (revision < 0 ? 'no_stream' : revision) : 'any', events: [stored] });
    });
    try {
      const results = await context.store.appendMany([...appends.values()]);
      // The answer's status: the case folded with what was just appended to its own stream.
      const after = drafts.reduce<CaseState>((folded, draft, index) => (draft.caseKind === caseKind && draft.caseId === sourceId ? evolve(folded, events[index] as CaseEvent) : folded), state);
      const own = results.find((result) => result.streamId === streamId);
      return { caseId: streamId, kind: caseKind, status: after.status, revision: own?.nextExpectedRevision ?? revision, eventIds: events.map((event) => event.id), replayed: false };
    } catch (error) {
      if (!(error instanceof ConcurrencyError) || request.expectedRevision !== undefined) throw error;
    }
  }
  throw new StaleCaseError(`${streamId} kept changing; try again`);
}

/**
 * A key seen before answers only the command it was first sent with: the first event it
 * recorded must be what this command records first (same type, same data). Anything else
 * is a client bug, refused, not answered with another command's result.
 */
function assertSameCommand(request: CommandRequest, recorded: CaseEvent): void {
  const { command, caseKind, sourceId } = request;
  const idField = caseKind === 'complaint' ? 'complaintId' : 'callbackId';
  const expected = catalogue.parseEvent({ id: recorded.id, type: COMMAND_EVENT[command.kind], version: 1, customerId: 'any', occurredAt: recorded.occurredAt, source: 'cases', data: { ...command.data, [idField]: sourceId } });
  const sameCustomer = !('customerId' in command) || command.customerId === recorded.customerId;
  const same = sameCustomer && expected.ok && expected.event.type === recorded.type && canonical(expected.event.data) === canonical(recorded.data);
  if (same) return;
  throw new IdempotencyKeyReusedError(
    `The Idempotency-Key '${request.idempotencyKey}' was first used on the ${caseKind} '${sourceId}' for another command (${recorded.type}); use a new key for a new command.`,
    [{ path: 'Idempotency-Key', message: 'already used with another body' }],
    { firstEventId: recorded.id, firstType: recorded.type },
  );
}

/** JSON with keys sorted, so equal data compares equal whatever order the fields came in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : inner,
  );
}

/** A decided event with its envelope, checked against its contract so what is stored every projection can read. */
function envelopeOf(draft: Draft, id: string, customerId: string, now: string, actor?: Actor): RapportEvent {
  const envelope = { id, type: draft.type, version: 1, customerId, occurredAt: now, source: 'cases', ...(actor ? { actor } : {}), data: draft.data };
  const parsed = catalogue.parseEvent(envelope);
  if (!parsed.ok) throw new ValidationError(parsed.errors.map((error) => ({ path: error.path.replace(/^data\./, ''), message: error.message })));
  return parsed.event;
}
