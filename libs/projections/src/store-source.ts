import type { EventStore, Subscription } from '@rapport/event-store';
import { GLOBAL_PARTITION, type EventSource, type SourceHandler, type SourceRun } from './source';

export interface StoreSourceOptions {
  /** Most events per batch (and so per transaction). */
  readonly batchSize?: number;
}

/** The event store's gap-safe global subscription as a single-partition source (embedded mode, rebuilds). */
export function storeSource(store: EventStore, options: StoreSourceOptions = {}): EventSource {
  return {
    name: 'event-store',
    headPosition: () => store.headPosition(),
    start(handler: SourceHandler): SourceRun {
      let subscription: Subscription | undefined;
      let stopped = false;
      const closed = (async () => {
        const from = await handler.checkpointFor(GLOBAL_PARTITION);
        if (stopped) return;
        subscription = store.subscribeToAll({
          from,
          batchSize: options.batchSize ?? 1000,
          onEvents: (events) =>
            handler.apply({ partition: GLOBAL_PARTITION, events, checkpoint: events[events.length - 1].checkpoint }),
          onStall: (stall) => handler.onStall?.(stall),
        });
        await subscription.closed;
      })();
      return {
        get caughtUp() {
          return subscription?.caughtUp ?? false;
        },
        closed,
        async stop() {
          stopped = true;
          await subscription?.stop();
          await closed.catch(() => undefined);
        },
      };
    },
  };
}
