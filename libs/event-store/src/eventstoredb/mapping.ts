import {
  NO_STREAM,
  WrongExpectedVersionError,
  type AppendExpectedRevision,
  type CurrentRevision,
  type Position,
  type RecordedEvent as ClientRecordedEvent,
} from '@eventstore/db-client';
import { ConcurrencyError, InvalidAppendError } from '../errors';
import type { ExpectedRevision, RecordedEvent, StreamAppend } from '../event-store';

/** Revision of a stream's last event, -1 when the stream does not exist (our convention). */
export type StreamTail = number;

/** Metadata key under which an event's content hash is stored; taken out again on read, as on PostgreSQL. */
export const CONTENT_HASH_KEY = '$contentHash';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CHECKPOINT = /^(\d+):(\d+)$/;

/** The client's expected revision for "the stream is still exactly at `tail`". */
export function toClientRevision(tail: StreamTail): AppendExpectedRevision {
  return tail === -1 ? NO_STREAM : BigInt(tail);
}

export function fromClientRevision(revision: CurrentRevision | undefined): StreamTail {
  return revision === undefined || revision === NO_STREAM ? -1 : Number(revision);
}

/** Translates the client's WrongExpectedVersionError; any other error is returned as it is. */
export function toStoreError(error: unknown, streamId: string, expected: ExpectedRevision): unknown {
  if (error instanceof WrongExpectedVersionError) {
    return new ConcurrencyError(streamId, expected, fromClientRevision(error.actualVersion));
  }
  return error;
}

export function encodeCheckpoint(position: Position): string {
  return `${position.commit}:${position.prepare}`;
}

export function decodeCheckpoint(checkpoint: string): Position {
  const match = CHECKPOINT.exec(checkpoint);
  if (!match) {
    throw new InvalidAppendError(`checkpoint "${checkpoint}" is not an EventStoreDB checkpoint ("<commit>:<prepare>")`);
  }
  return { commit: BigInt(match[1]), prepare: BigInt(match[2]) };
}

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/** `$`-prefixed streams and types belong to the server (settings, users, metadata, projections). */
export function isSystemEvent(event: { readonly streamId: string; readonly type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

/** Checks a whole request before anything is written: appendMany is not atomic, so a late rejection would leave half of it. */
export function validateAppends(appends: readonly StreamAppend[]): void {
  const streams = new Set<string>();
  const ids = new Set<string>();
  for (const { streamId, expectedRevision, events } of appends) {
    if (typeof streamId !== 'string' || streamId.trim() === '') throw new InvalidAppendError('stream id must be a non-empty string');
    if (streamId.startsWith('$')) throw new InvalidAppendError(`stream id "${streamId}" is reserved for the server`);
    if (streams.has(streamId)) throw new InvalidAppendError(`stream ${streamId} appears twice in one appendMany`);
    streams.add(streamId);
    if (typeof expectedRevision === 'number' && !(Number.isSafeInteger(expectedRevision) && expectedRevision >= 0)) {
      throw new InvalidAppendError(`expected revision must be 'any', 'no_stream', 'stream_exists' or a revision ≥ 0`);
    }
    for (const event of events) {
      if (!UUID.test(event.id)) throw new InvalidAppendError(`event id "${event.id}" is not a UUID`);
      const id = event.id.toLowerCase();
      if (ids.has(id)) throw new InvalidAppendError(`event id ${id} appears twice in one append`);
      ids.add(id);
      if (typeof event.type !== 'string' || event.type === '' || event.type.startsWith('$')) {
        throw new InvalidAppendError(`event ${id} needs a type that does not start with "$"`);
      }
    }
  }
}

export function toRecordedEvent(event: ClientRecordedEvent, commitPosition?: bigint): RecordedEvent {
  const position = event.position ?? (commitPosition === undefined ? undefined : { commit: commitPosition, prepare: commitPosition });
  if (!position) throw new Error(`event ${event.id} came without a log position (EventStoreDB 22.6 or later is required)`);
  return {
    id: event.id.toLowerCase(),
    type: event.type,
    streamId: event.streamId,
    revision: Number(event.revision),
    position: Number(position.commit),
    data: event.isJson ? event.data : Buffer.from(event.data).toString('base64'),
    metadata: isJsonObject(event.metadata) ? withoutContentHash(event.metadata) : {},
    recordedAt: event.created.toISOString(),
    checkpoint: encodeCheckpoint(position),
  };
}

/** The content hash stored in an event's metadata, if it has one. */
export function contentHashOf(event: ClientRecordedEvent): string | undefined {
  const hash = isJsonObject(event.metadata) ? event.metadata[CONTENT_HASH_KEY] : undefined;
  return typeof hash === 'string' ? hash : undefined;
}

function withoutContentHash(metadata: Record<string, unknown>): Record<string, unknown> {
  if (!Object.hasOwn(metadata, CONTENT_HASH_KEY)) return metadata;
  const { [CONTENT_HASH_KEY]: _hash, ...rest } = metadata;
  return rest;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
