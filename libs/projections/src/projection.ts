import type { Sql } from './database';
import type { SourceEvent } from './source';

/**
 * A read-model table. Every generation of a projection gets its own copy in its own
 * schema (`<schema>_g<n>`), and queries read it through a view `<schema>.<name>` that a
 * rebuild repoints atomically.
 */
export interface ReadModelTable {
  readonly name: string;
  /** DDL creating the table and its indexes inside `schema`; runs once per generation. */
  create(schema: string): string;
  /** Columns left out of the verify hash because they legitimately differ between builds. */
  readonly unhashedColumns?: readonly string[];
}

export interface ProjectionContext {
  /** The batch's transaction: the runtime commits it together with the checkpoint. */
  readonly tx: Sql;
  /** Quoted schema of the generation being written, e.g. `"timeline_g3"`. */
  readonly schema: string;
  /** False while a rebuild or a verify is building tables nobody reads yet: skip live side effects (NOTIFY). */
  readonly live: boolean;
}

/**
 * What a projection declares. The runtime owns transactions, checkpoints, de-duplication
 * and parking; a projection only turns events into row changes, ideally with a few
 * multi-row statements per batch.
 */
export interface Projection<E = unknown> {
  /** Stable name used by the CLI and admin API, e.g. `timeline`. */
  readonly name: string;
  /** Bump to rebuild: the runtime builds the new version beside the old one and switches when caught up. */
  readonly version: number;
  /** Schema of the views that queries read; generations live in `<schema>_g<n>`. */
  readonly schema: string;
  readonly eventTypes: readonly string[];
  readonly tables: readonly ReadModelTable[];
  /** Typed view of a delivered event. Throwing parks the event (it is poison). */
  decode(event: SourceEvent): E;
  /**
   * Applies new events in delivery order (per-stream order kept), each exactly once per
   * generation. Throwing rolls the batch back; the runtime then applies the events one by
   * one and parks those that still fail.
   */
  apply(context: ProjectionContext, events: readonly E[]): Promise<void>;
}
