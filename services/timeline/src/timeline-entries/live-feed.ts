import type { Database } from '@rapport/projections';
import type { ClientBase, Notification } from 'pg';
import { TIMELINE_CHANNEL } from './projection';
import type { EntryRow } from './queries';

type Listener = (row: EntryRow) => void;
type Closed = () => void;

export interface FeedLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

const FIRST_RECONNECT_MS = 100;
const MAX_RECONNECT_MS = 5_000;

/**
 * New timeline entries as the projection commits them, fanned out per customer. One
 * LISTEN connection serves every subscriber of the process; it opens with the first
 * subscriber. While it reconnects after an error, entries are missed: clients page the
 * timeline to fill such a gap.
 */
export class TimelineFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closers = new Map<Listener, Closed>();
  private connection: Promise<{ client: ClientBase; release(error?: Error): void }> | undefined;
  private closed = false;
  private reconnecting = false;

  constructor(
    private readonly db: Database,
    private readonly logger?: FeedLogger,
  ) {}

  /**
   * Calls `listener` with each entry committed for the customer from now on, and `closed`
   * when the feed shuts down (so that open streams end and the server can stop). Returns
   * the unsubscribe function.
   */
  async subscribe(customerId: string, listener: Listener, closed: Closed): Promise<() => void> {
    let set = this.listeners.get(customerId);
    if (!set) this.listeners.set(customerId, (set = new Set()));
    set.add(listener);
    this.closers.set(listener, closed);
    const added = set;
    const unsubscribe = () => {
      added.delete(listener);
      this.closers.delete(listener);
      if (added.size === 0 && this.listeners.get(customerId) === added) this.listeners.delete(customerId);
    };
    try {
      await this.listen();
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  get subscribers(): number {
    let count = 0;
    for (const set of this.listeners.values()) count += set.size;
    return count;
  }

  async close(): Promise<void> {
    this.closed = true;
    const closers = [...this.closers.values()];
    this.listeners.clear();
    this.closers.clear();
    for (const closed of closers) closed();
    const connection = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    if (connection) {
      await connection.client.query(`UNLISTEN ${TIMELINE_CHANNEL}`).catch(() => undefined);
      connection.release();
    }
  }

  private listen(): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the timeline feed is closed'));
    if (this.connection) return this.connection;
    const opening = this.open().catch((error: unknown) => {
      if (this.connection === opening) this.connection = undefined;
      throw error;
    });
    this.connection = opening;
    return opening;
  }

  private async open(): Promise<{ client: ClientBase; release(error?: Error): void }> {
    const connection = await this.db.connect();
    const { client } = connection;
    let released = false;
    const onNotification = (message: Notification) => this.dispatch(message);
    const onError = (error: Error) => lost(error);
    const onEnd = () => lost(new Error('the timeline feed connection ended'));
    // Detached before the client goes back to the pool, whose next borrower must not feed us.
    const release = (error?: Error) => {
      if (released) return;
      released = true;
      client.off('notification', onNotification).off('error', onError).off('end', onEnd);
      connection.release(error);
    };
    const lost = (error: Error) => {
      if (!released) this.lost(release, error);
    };
    client.on('notification', onNotification).on('error', onError).on('end', onEnd);
    try {
      await client.query(`LISTEN ${TIMELINE_CHANNEL}`);
    } catch (error) {
      release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    return { client, release };
  }

  private dispatch(message: Notification): void {
    if (message.channel !== TIMELINE_CHANNEL || !message.payload) return;
    const row = JSON.parse(message.payload) as EntryRow;
    for (const listener of this.listeners.get(row.customer_id) ?? []) listener(row);
  }

  private lost(release: (error?: Error) => void, error: Error): void {
    this.logger?.warn({ err: error }, 'timeline feed connection lost; reconnecting');
    release(error);
    this.connection = undefined;
    this.reconnect(FIRST_RECONNECT_MS);
  }

  /** Keeps trying, backing off, while anyone listens; the next subscriber reconnects otherwise. */
  private reconnect(delayMs: number): void {
    if (this.closed || this.reconnecting) return;
    this.reconnecting = true;
    setTimeout(() => {
      this.reconnecting = false;
      if (this.closed || this.listeners.size === 0) return;
      this.listen().catch((error: unknown) => {
        this.logger?.warn({ err: error }, 'timeline feed could not reconnect; retrying');
        this.reconnect(Math.min(delayMs * 2, MAX_RECONNECT_MS));
      });
    }, delayMs).unref();
  }
}
