/**
 * The one port every event store adapter implements (PostgreSQL in embedded mode,
 * EventStoreDB/KurrentDB when scaled). Payloads are plain JSON; typing them is the
 * contracts' job, not the store's.
 */

/** What a writer expects the stream to look like before its append. */
export type ExpectedRevision =
  | 'any'
  | 'no_stream'
  | 'stream_exists'
  /** Exact revision of the stream's last event (0 for a stream holding one event). */
  | number;

/** Whether a stream whose last revision is `actual` (-1: no stream) meets the expectation. */
export function expectedRevisionHolds(expected: ExpectedRevision, actual: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === -1;
    case 'stream_exists':
      return actual >= 0;
    default:
      return actual === expected;
  }
}

export interface EventToAppend {
  /** UUID chosen by the emitter; it is the idempotency key. */
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * Digest of what makes the event what it is, chosen by the caller and stored with it, so that a
   * later append of the same id can be told apart from a true re-send (see `differentContent`).
   */
  readonly contentHash?: string;
}

export interface StreamAppend {
  readonly streamId: string;
  readonly expectedRevision: ExpectedRevision;
  readonly events: readonly EventToAppend[];
}

export interface AppendedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  /** Global position: unique, increasing with append order. */
  readonly position: number;
  /** True when an event with this id was already stored: nothing was written for it. */
  readonly duplicate: boolean;
  /**
   * For a duplicate: the stored event is not this one — it sits in another stream, or both carry a
   * content hash and the hashes differ (the id was reused). False for a true re-send, for an event
   * stored or re-sent without a hash, and for new events. Adapters that predate it leave it out.
   */
  readonly differentContent?: boolean;
}

export interface AppendResult {
  readonly streamId: string;
  /** Revision of the stream's last event after the append. */
  readonly nextExpectedRevision: number;
  readonly events: readonly AppendedEvent[];
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** When the store wrote it, ISO-8601. */
  readonly recordedAt: string;
  /**
   * Where a subscription resumes after this event. Opaque: adapters encode whatever
   * makes resumption gap-free (PostgreSQL: transaction id and position).
   */
  readonly checkpoint: string;
}

export type Direction = 'forwards' | 'backwards';

export interface ReadStreamOptions {
  readonly direction?: Direction;
  /** Revision to start from (inclusive); the first or last event when omitted. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Global position to start after (exclusive); the beginning when omitted. */
  readonly afterPosition?: number;
  readonly maxCount?: number;
}

export interface SubscribeOptions {
  /** Resume after this checkpoint; from the very beginning when omitted. */
  readonly from?: string;
  /** Most events handed to one `onEvents` call. */
  readonly batchSize?: number;
  /**
   * Receives events in commit-safe order, one batch at a time; the next batch is not
   * read until the returned promise settles. A rejection stops the subscription and is
   * reported through `closed`.
   */
  onEvents(events: readonly RecordedEvent[]): Promise<void>;
  /**
   * Told every few seconds while committed events wait behind an older transaction that is
   * still open (PostgreSQL delivers nothing past the oldest open transaction), and once with
   * `undefined` when they flow again. Adapters that cannot stall never call it.
   */
  onStall?(stall: SubscriptionStall | undefined): void;
}

/** Committed events a subscription may not deliver yet, because an older transaction is still open. */
export interface SubscriptionStall {
  /** Age of the oldest waiting event. */
  readonly seconds: number;
  /** The database backend holding the oldest open transaction, when the database tells. */
  readonly blocker?: {
    readonly pid: number;
    /** Since its transaction began. */
    readonly openSeconds: number;
    /** e.g. `idle in transaction`. */
    readonly state: string | null;
  };
}

export interface Subscription {
  /** Settles when the subscription stops: resolves on `stop()`, rejects on a handler or store error. */
  readonly closed: Promise<void>;
  /** True while no more events are known beyond what was delivered. */
  readonly caughtUp: boolean;
  stop(): Promise<void>;
}

export interface EventStore {
  /** Appends to one stream, atomically. Re-appending known event ids is a no-op that returns their original positions. */
  append(streamId: string, events: readonly EventToAppend[], expectedRevision?: ExpectedRevision): Promise<AppendResult>;
  /**
   * Appends to several streams. Atomic across streams where the adapter can do that
   * (PostgreSQL); `atomicAcrossStreams` says which.
   */
  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  readonly atomicAcrossStreams: boolean;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Position of the last stored event (0 when empty). */
  headPosition(): Promise<number>;
  subscribeToAll(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}
