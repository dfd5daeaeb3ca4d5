import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';

export interface EmmettEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: Record<string, unknown>;
}

/** One Emmett-PG store on `databaseUrl` (its own tables); Emmett appends to one stream a call. */
export function emmettAppender(databaseUrl: string): {
  append(streamId: string, events: readonly EmmettEvent[]): Promise<void>;
  close(): Promise<void>;
} {
  const store = getPostgreSQLEventStore(databaseUrl);
  return {
    async append(streamId, events) {
      await store.appendToStream(streamId, [...events]);
    },
    close: () => store.close(),
  };
}
