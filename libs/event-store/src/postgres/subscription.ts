import type { Pool } from 'pg';
import { InvalidAppendError } from '../errors';
import type { RecordedEvent, SubscribeOptions, Subscription, SubscriptionStall } from '../event-store';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows';

interface Cursor {
  transactionId: string;
  position: string;
}

const START: Cursor = { transactionId: '0', position: '0' };
/** While idle, how often to look for committed events held back by an older open transaction. */
const STALL_CHECK_MS = 1000;

/** Checkpoints are `<transaction id>:<position>` of the last event delivered. */
export function parseCheckpoint(checkpoint: string | undefined): Cursor {
  if (checkpoint === undefined || checkpoint === '') return START;
  const match = /^(\d+):(\d+)$/.exec(checkpoint);
  if (!match) throw new InvalidAppendError(`'${checkpoint}' is not a PostgreSQL event store checkpoint`);
  return { transactionId: match[1], position: match[2] };
}

/**
 * Follows the global log gap-free. Positions come from a sequence and so commit out of
 * order; instead of trusting them, an event is delivered only once every transaction
 * older than its own has finished (`tx_id < xmin` of the current snapshot), in
 * (transaction id, position) order. A late commit can then never fall behind the cursor.
 * The price: one long open transaction anywhere in the cluster holds every later event
 * back; `onStall` reports that, naming the backend.
 */
export class PostgresSubscription implements Subscription {
  readonly closed: Promise<void>;
  private running = true;
  private isCaughtUp = false;
  private wakeRequested = false;
  private wakeSleeper: (() => void) | undefined;
  private stall: SubscriptionStall | undefined;
  private lastStallCheck = 0;

  constructor(
    private readonly pool: Pool,
    private readonly table: string,
    private readonly options: SubscribeOptions,
    private readonly pollIntervalMs: number,
  ) {
    const cursor = parseCheckpoint(options.from);
    this.closed = this.run(cursor);
  }

  get caughtUp(): boolean {
    return this.isCaughtUp;
  }

  /** Asks the loop to look for new events now instead of at the next poll. */
  wake(): void {
    this.wakeRequested = true;
    this.wakeSleeper?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.closed.catch(() => undefined);
  }

  private async run(start: Cursor): Promise<void> {
    const batchSize = this.options.batchSize ?? 500;
    let cursor = start;
    while (this.running) {
      this.wakeRequested = false;
      const rows = await this.readAfter(cursor, batchSize);
      if (!this.running) break;
      if (rows.length === 0) {
        // Nothing readable: caught up only if nothing is held back behind an older open transaction either.
        this.isCaughtUp = !(await this.anyHeldBack(cursor));
        await this.checkStall(cursor);
        await this.sleep();
        continue;
      }
      this.isCaughtUp = false;
      this.reportStall(undefined);
      const events: RecordedEvent[] = rows.map(toRecordedEvent);
      await this.options.onEvents(events);
      const last = rows[rows.length - 1];
      cursor = { transactionId: last.tx_id, position: last.position };
      // A short batch counts as caught up even if a concurrent append is about to land: a rebuild
      // under steady writes must still reach the point where it may switch over.
      this.isCaughtUp = rows.length < batchSize;
    }
  }

  private async readAfter(cursor: Cursor, limit: number): Promise<EventRow[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.table}
        WHERE (tx_id, position) > ($1::xid8, $2::bigint)
          AND tx_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY tx_id, position
        LIMIT $3`,
      [cursor.transactionId, cursor.position, limit],
    );
    return rows;
  }

  private async anyHeldBack(cursor: Cursor): Promise<boolean> {
    const { rows } = await this.pool.query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM ${this.table} WHERE (tx_id, position) > ($1::xid8, $2::bigint)) AS held`,
      [cursor.transactionId, cursor.position],
    );
    return rows[0].held;
  }

  private async checkStall(cursor: Cursor): Promise<void> {
    if (!this.options.onStall || Date.now() - this.lastStallCheck < STALL_CHECK_MS) return;
    this.lastStallCheck = Date.now();
    // The blocker is the backend whose transaction id is the oldest still running: the snapshot's xmin.
    const { rows } = await this.pool
      .query<{ seconds: number | null; blocker: { pid: number; open_seconds: number; state: string | null } | null }>(
        `SELECT extract(epoch FROM now() - min(recorded_at))::float8 AS seconds,
                (SELECT row_to_json(b) FROM (
                   SELECT pid, extract(epoch FROM now() - xact_start)::float8 AS open_seconds, state
                     FROM pg_stat_activity
                    WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
                    ORDER BY age(backend_xid) DESC LIMIT 1) b) AS blocker
           FROM ${this.table}
          WHERE (tx_id, position) > ($1::xid8, $2::bigint)
            AND tx_id >= pg_snapshot_xmin(pg_current_snapshot())`,
        [cursor.transactionId, cursor.position],
      )
      .catch(() => ({ rows: [] }));
    const [row] = rows;
    if (row?.seconds === null || row?.seconds === undefined) return this.reportStall(undefined);
    const blocker = row.blocker ? { pid: row.blocker.pid, openSeconds: row.blocker.open_seconds, state: row.blocker.state } : undefined;
    this.reportStall({ seconds: Math.max(0, row.seconds), ...(blocker ? { blocker } : {}) });
  }

  private reportStall(stall: SubscriptionStall | undefined): void {
    if (stall === undefined && this.stall === undefined) return;
    this.stall = stall;
    this.options.onStall?.(stall);
  }

  private sleep(): Promise<void> {
    if (this.wakeRequested || !this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.pollIntervalMs);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wakeSleeper = undefined;
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}
