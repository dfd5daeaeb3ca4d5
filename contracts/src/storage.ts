import type { Envelope } from './envelope';

/** What is handed to the event store: envelope fields other than id/type/data travel as metadata. */
export interface EventToStore {
  id: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

/** The parts of an event store's recorded event that the contracts read. */
export interface RecordedEventInput {
  id: string;
  type: string;
  data: unknown;
  metadata: Readonly<Record<string, unknown>>;
  streamId: string;
  revision: number;
  position: number;
  /** The store's write time; stands in for `receivedAt` if the metadata lacks it. */
  recordedAt?: string;
}

/** An event read back from the store, upcast to its type's latest version. */
export type Stored<E> = E & {
  /** When Rapport accepted the event, ISO-8601. */
  receivedAt: string;
  streamId: string;
  revision: number;
  position: number;
};

const HEADER_KEYS = [
  'version',
  'customerId',
  'anonymousId',
  'occurredAt',
  'source',
  'correlationId',
  'causationId',
  'actor',
] as const;

export function toStoredEvent(event: Envelope<string, unknown>, receivedAt: string): EventToStore {
  const metadata: Record<string, unknown> = {};
  for (const key of HEADER_KEYS) {
    if (event[key] !== undefined) metadata[key] = event[key];
  }
  metadata.receivedAt = receivedAt;
  return { id: event.id, type: event.type, data: event.data, metadata };
}

/**
 * Rebuilds the envelope as it was emitted. Only envelope keys are taken, so metadata added
 * later by the store or other tools cannot make an old event unreadable.
 */
export function envelopeFromRecorded(recorded: RecordedEventInput): Record<string, unknown> {
  const envelope: Record<string, unknown> = { id: recorded.id, type: recorded.type };
  const metadata: Readonly<Record<string, unknown>> =
    typeof recorded.metadata === 'object' && recorded.metadata !== null ? recorded.metadata : {};
  for (const key of HEADER_KEYS) {
    if (Object.hasOwn(metadata, key) && metadata[key] !== undefined) envelope[key] = metadata[key];
  }
  envelope.data = recorded.data;
  return envelope;
}

export function receivedAtOf(recorded: RecordedEventInput): string | undefined {
  const receivedAt = recorded.metadata?.receivedAt;
  return typeof receivedAt === 'string' ? receivedAt : recorded.recordedAt;
}
