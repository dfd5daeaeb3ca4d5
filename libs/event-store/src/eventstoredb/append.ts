import {
  BACKWARDS,
  END,
  FORWARDS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type EventStoreDBClient,
  type JSONType,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import { ConcurrencyError } from '../errors';
import { expectedRevisionHolds, type AppendedEvent, type AppendResult, type EventToAppend, type ExpectedRevision, type RecordedEvent } from '../event-store';
import { CONTENT_HASH_KEY, contentHashOf, toClientRevision, toRecordedEvent, toStoreError, type StreamTail } from './mapping';

/** Another process appending to the same stream makes our conditional append fail; we re-read and decide again. */
const MAX_ATTEMPTS = 20;

interface StreamSnapshot {
  readonly tail: StreamTail;
  /** Stored events among the ids asked about, by lower-cased id. */
  readonly stored: ReadonlyMap<string, RecordedEvent>;
  /** Content hashes of those stored events that have one. */
  readonly storedHashes: ReadonlyMap<string, string>;
}

export class StreamAppender {
  /** Appends to one stream from this process run one after another, so they never race each other. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly client: EventStoreDBClient) {}

  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const previous = this.queues.get(streamId) ?? Promise.resolve();
    const result = previous.then(() => this.appendNow(streamId, events, expected));
    const settled = result.catch(() => undefined);
    this.queues.set(streamId, settled);
    void settled.then(() => this.queues.get(streamId) === settled && this.queues.delete(streamId));
    return result;
  }

  private async appendNow(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const ids = events.map((event) => event.id.toLowerCase());
    for (let attempt = 1; ; attempt++) {
      // The server's own id check is best-effort, so we look the ids up in the stream itself, then append
      // on condition that the stream is still at the revision we looked at: check and write are one step.
      const snapshot = await snapshotStream(this.client, streamId, new Set(ids));
      const fresh = events.filter((_, index) => !snapshot.stored.has(ids[index]));
      // An append of no events still answers for the expectation (a retry of known events does not).
      if (events.length === 0 && !expectedRevisionHolds(expected, snapshot.tail)) throw new ConcurrencyError(streamId, expected, snapshot.tail);
      if (fresh.length === 0) return duplicatesOnly(streamId, events, ids, snapshot);
      if (!expectedRevisionHolds(expected, snapshot.tail)) throw new ConcurrencyError(streamId, expected, snapshot.tail);
      let last: number;
      try {
        const expectedRevision = toClientRevision(snapshot.tail);
        last = Number((await this.client.appendToStream(streamId, fresh.map(toEventData), { expectedRevision })).nextExpectedRevision);
      } catch (error) {
        if (error instanceof WrongExpectedVersionError && attempt < MAX_ATTEMPTS) continue;
        throw toStoreError(error, streamId, expected);
      }
      const written = await readStreamEvents(this.client.readStream(streamId, {
        requiresLeader: true,
        direction: FORWARDS,
        fromRevision: BigInt(last - fresh.length + 1),
        maxCount: fresh.length,
      }));
      const byId = new Map<string, RecordedEvent>(snapshot.stored);
      for (const event of written) byId.set(event.id, event);
      return {
        streamId,
        nextExpectedRevision: last,
        events: ids.map((id, index) => toAppended(byId.get(id), id, streamId, duplicateOutcome(events[index], id, snapshot))),
      };
    }
  }
}

/** Reads the stream from its end until every id is found (cheap for retries) or the start is reached (new ids). */
async function snapshotStream(client: EventStoreDBClient, streamId: string, ids: ReadonlySet<string>): Promise<StreamSnapshot> {
  const stored = new Map<string, RecordedEvent>();
  const storedHashes = new Map<string, string>();
  let tail: StreamTail = -1;
  // Only the leader is sure to hold every acknowledged write.
  const read = client.readStream(streamId, { requiresLeader: true, direction: BACKWARDS, fromRevision: END });
  try {
    for await (const resolved of read as AsyncIterable<ResolvedEvent>) {
      if (!resolved.event) continue;
      if (tail === -1) tail = Number(resolved.event.revision);
      const id = resolved.event.id.toLowerCase();
      if (ids.has(id)) {
        stored.set(id, toRecordedEvent(resolved.event, resolved.commitPosition));
        const hash = contentHashOf(resolved.event);
        if (hash !== undefined) storedHashes.set(id, hash);
      }
      if (stored.size === ids.size) break;
    }
  } catch (error) {
    if (!(error instanceof StreamNotFoundError)) throw error;
  } finally {
    await read.cancel();
  }
  return { tail, stored, storedHashes };
}

export async function readStreamEvents(read: StreamingRead<ResolvedEvent>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  try {
    for await (const resolved of read) {
      if (resolved.event) events.push(toRecordedEvent(resolved.event, resolved.commitPosition));
    }
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
  return events;
}

function duplicatesOnly(streamId: string, events: readonly EventToAppend[], ids: readonly string[], snapshot: StreamSnapshot): AppendResult {
  return {
    streamId,
    nextExpectedRevision: snapshot.tail,
    events: ids.map((id, index) => toAppended(snapshot.stored.get(id), id, streamId, duplicateOutcome(events[index], id, snapshot))),
  };
}

interface DuplicateOutcome {
  readonly duplicate: boolean;
  readonly differentContent: boolean;
}

/** Ids are looked up in the target stream only, so a duplicate differs only by its content hash. */
function duplicateOutcome(event: EventToAppend, id: string, snapshot: StreamSnapshot): DuplicateOutcome {
  if (!snapshot.stored.has(id)) return { duplicate: false, differentContent: false };
  const stored = snapshot.storedHashes.get(id);
  return { duplicate: true, differentContent: stored !== undefined && event.contentHash !== undefined && stored !== event.contentHash };
}

function toAppended(event: RecordedEvent | undefined, id: string, streamId: string, outcome: DuplicateOutcome): AppendedEvent {
  if (!event) throw new Error(`event ${id} was appended to ${streamId} but could not be read back`);
  return { id, streamId, revision: event.revision, position: event.position, ...outcome };
}

function toEventData(event: EventToAppend) {
  return jsonEvent({
    id: event.id.toLowerCase(),
    type: event.type,
    data: (event.data ?? null) as JSONType,
    metadata: event.contentHash === undefined ? { ...event.metadata } : { ...event.metadata, [CONTENT_HASH_KEY]: event.contentHash },
  });
}
