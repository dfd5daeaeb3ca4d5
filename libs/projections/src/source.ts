import type { RecordedEvent, SubscriptionStall } from '@rapport/event-store';

/**
 * Where a projection runner gets its events from: the event store's gap-safe global
 * subscription in embedded mode, a Kafka consumer group when scaled. The runner owns
 * checkpoints (they live in PostgreSQL beside the read model); a source only delivers
 * batches and resumes from a checkpoint the runner hands back.
 *
 * Contract every source keeps:
 * - **Partitions.** Events arrive in ordered lanes called partitions: `$all` for the
 *   store's global log, `<topic>:<partition>` for Kafka. Within a partition, events of one
 *   stream (one customer) arrive in stream-revision order. Different partitions carry no
 *   ordering relative to each other.
 * - **Resume.** When a partition starts (on `start`, or on a Kafka (re)assignment) the
 *   source asks `handler.checkpointFor(partition)` and resumes right after that
 *   checkpoint, or from the very beginning when it is `undefined`.
 * - **Commit acknowledgement.** `handler.apply(batch)` resolves only after the read-model
 *   change and the batch's checkpoint have committed in one transaction. Only then may the
 *   source acknowledge upstream (e.g. commit the Kafka offset, which is just a hint: the
 *   PostgreSQL checkpoint is the truth). If it rejects, nothing of the batch committed and
 *   the source must redeliver the same partition from its last committed checkpoint
 *   (restarting the partition from `checkpointFor` is the simplest way), or stop.
 * - **One batch at a time per partition.** The source never calls `apply` again for a
 *   partition before the previous call settled. It may run different partitions
 *   concurrently; the runner serialises them itself.
 * - **At-least-once is enough.** The runner drops events it already applied (it keeps the
 *   highest applied revision per stream), so replays after a crash, a rebalance or a relay
 *   restart are harmless.
 */
export interface EventSource {
  /** Shown in status output, e.g. `event-store` or `kafka:rapport.customer-events.v1`. */
  readonly name: string;
  start(handler: SourceHandler): SourceRun;
  /**
   * Global store position of the newest event this source could deliver, for lag in
   * events; `undefined` when the source cannot tell.
   */
  headPosition(): Promise<number | undefined>;
}

/**
 * One event as a source delivers it: the store's recorded event. A Kafka source rebuilds
 * it from the message (headers carry id, type, stream, revision, position) and sets
 * `checkpoint` to something it can resume after (e.g. the next offset).
 */
export type SourceEvent = RecordedEvent;

export interface SourceBatch {
  readonly partition: string;
  /** In delivery order. Empty when only the checkpoint moves (a Kafka batch whose messages were all dead-lettered). */
  readonly events: readonly SourceEvent[];
  /** Resume point after the whole batch (normally the last event's `checkpoint`). Stored as text. */
  readonly checkpoint: string;
}

/** Implemented by the runner; a source only calls it. */
export interface SourceHandler {
  /** Whose batches these are: a source that keeps per-reader state upstream (a Kafka consumer group) names it after them. */
  readonly projection: string;
  readonly generation: number;
  checkpointFor(partition: string): Promise<string | undefined>;
  /** Resolves once the batch and its checkpoint committed; rejects when nothing did. */
  apply(batch: SourceBatch): Promise<void>;
  /** Committed events wait behind an older open transaction (the store's subscription), or flow again (`undefined`). */
  onStall?(stall: SubscriptionStall | undefined): void;
}

export interface SourceRun {
  /**
   * True while the source knows of no event beyond what it delivered (every partition
   * drained). Read by the runner to decide when a rebuild has caught up.
   */
  readonly caughtUp: boolean;
  /** Settles when the run ends: resolves after `stop()`, rejects on a source failure. */
  readonly closed: Promise<void>;
  /** Stops delivering; resolves after any in-flight `apply` settled. */
  stop(): Promise<void>;
}

/** The partition name of a source that reads one global, totally ordered log. */
export const GLOBAL_PARTITION = '$all';
