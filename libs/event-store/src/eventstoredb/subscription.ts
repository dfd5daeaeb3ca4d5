import {
  START,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
  type Position,
} from '@eventstore/db-client';
import type { RecordedEvent, SubscribeOptions, Subscription } from '../event-store';
import { comparePositions, decodeCheckpoint, isSystemEvent, toRecordedEvent } from './mapping';

const DEFAULT_BATCH_SIZE = 100;

/**
 * A catch-up subscription to $all that hands events to `onEvents` batch by batch. Events wait in the
 * client's readable buffer (bounded by the batch size) while a batch is handled, which pauses the gRPC stream.
 */
export class AllStreamBatches implements Subscription {
  readonly closed: Promise<void>;
  private readonly source: AllStreamSubscription;
  private readonly batchSize: number;
  private after: Position | undefined;
  private stopping = false;
  private failure: { error: unknown } | undefined;
  private ended = false;
  private delivering = false;
  private wake: (() => void) | undefined;
  /** Servers from 23.10 say when a subscription turns live or falls behind; older ones are compared with the head. */
  private serverSignalled = false;
  private serverCaughtUp = false;
  private headCaughtUp = false;
  private headCheck: Promise<void> | undefined;
  private deliveries = 0;

  constructor(
    client: EventStoreDBClient,
    private readonly options: SubscribeOptions,
    private readonly headPosition: () => Promise<number>,
  ) {
    this.after = options.from === undefined ? undefined : decodeCheckpoint(options.from);
    this.batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE);
    this.source = client.subscribeToAll(
      { fromPosition: this.after ?? START, filter: excludeSystemEvents() },
      { highWaterMark: this.batchSize },
    );
    this.source.on('error', (error) => this.signal(() => (this.failure ??= { error })));
    this.source.on('end', () => this.signal(() => (this.ended = true)));
    this.source.on('caughtUp', () => this.signal(() => ((this.serverSignalled = true), (this.serverCaughtUp = true))));
    this.source.on('fellBehind', () => this.signal(() => ((this.serverSignalled = true), (this.serverCaughtUp = false))));
    this.closed = this.run();
    // Callers that only ever call stop() must not see an unhandled rejection.
    this.closed.catch(() => undefined);
  }

  get caughtUp(): boolean {
    const idle = !this.delivering && this.source.readableLength === 0;
    return idle && (this.serverSignalled ? this.serverCaughtUp : this.headCaughtUp);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.signal(() => undefined);
    await this.source.unsubscribe();
    await this.closed.catch(() => undefined);
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopping) {
        if (this.failure) throw this.failure.error;
        const batch = this.takeBatch();
        if (batch.length > 0) {
          await this.deliver(batch);
          continue;
        }
        if (this.ended) throw new Error('EventStoreDB closed the $all subscription');
        this.checkHead();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.source.once('readable', resolve);
        });
        this.source.off('readable', this.wake!);
        this.wake = undefined;
      }
    } catch (error) {
      await this.source.unsubscribe();
      throw error;
    }
  }

  private takeBatch(): RecordedEvent[] {
    const batch: RecordedEvent[] = [];
    let resolved: AllStreamResolvedEvent | null;
    while (batch.length < this.batchSize && (resolved = this.source.read() as AllStreamResolvedEvent | null) !== null) {
      const event = resolved.event;
      if (!event || isSystemEvent(event)) continue;
      // Resuming exactly at a checkpoint must not deliver the event it was taken from again.
      if (this.after && comparePositions(event.position, this.after) <= 0) continue;
      batch.push(toRecordedEvent(event));
      this.after = event.position;
    }
    return batch;
  }

  private async deliver(batch: readonly RecordedEvent[]): Promise<void> {
    this.delivering = true;
    this.deliveries++;
    this.headCaughtUp = false;
    try {
      await this.options.onEvents(batch);
    } finally {
      this.delivering = false;
    }
  }

  private checkHead(): void {
    if (this.serverSignalled || this.headCheck || this.headCaughtUp) return;
    const deliveries = this.deliveries;
    const deliveredUpTo = this.after === undefined ? 0 : Number(this.after.commit);
    // No retry loop: a head beyond what we hold means events are on their way, and delivering them checks again.
    this.headCheck = this.headPosition()
      .then((head) => {
        if (deliveries === this.deliveries) this.headCaughtUp = head <= deliveredUpTo;
      })
      .catch(() => undefined)
      .finally(() => {
        this.headCheck = undefined;
        if (deliveries !== this.deliveries) this.wake?.();
      });
  }

  private signal(change: () => unknown): void {
    change();
    this.wake?.();
  }
}
