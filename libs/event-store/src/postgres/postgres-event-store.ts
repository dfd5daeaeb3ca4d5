import { Pool } from 'pg';
import { ConcurrencyError, InvalidAppendError } from '../errors';
import {
  expectedRevisionHolds,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
} from '../event-store';
import {
  EXPECTED_ANY,
  EXPECTED_NO_STREAM,
  EXPECTED_STREAM_EXISTS,
  WRONG_EXPECTED_REVISION,
  migrate,
} from './schema';
import { PostgresSubscription } from './subscription';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows';

export interface PostgresEventStoreOptions {
  readonly connectionString: string;
  /** Schema holding the store's tables; lets several stores share one database. */
  readonly schema?: string;
  readonly poolSize?: number;
  /** How often an idle subscription looks for events written by other processes. */
  readonly pollIntervalMs?: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const UNIQUE_VIOLATION = '23505';

export async function createPostgresEventStore(options: PostgresEventStoreOptions): Promise<PostgresEventStore> {
  const schema = options.schema ?? 'rapport_events';
  if (!SCHEMA_NAME.test(schema)) throw new InvalidAppendError(`invalid schema name '${schema}'`);
  const pool = new Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 });
  // An idle connection the server closes (restart, shutdown) is dropped by the pool; queries in
  // flight report their own errors. Unhandled, this event would end the process.
  pool.on('error', () => undefined);
  try {
    await migrate(pool, schema);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresEventStore(pool, schema, options.pollIntervalMs ?? 25);
}

export class PostgresEventStore implements EventStore {
  readonly atomicAcrossStreams = true;
  private readonly subscriptions = new Set<PostgresSubscription>();

  constructor(
    readonly pool: Pool,
    readonly schema: string,
    private readonly pollIntervalMs: number,
  ) {}

  /** The events table, schema-qualified, for tools (benchmarks, admin) that need raw SQL. */
  get eventsTable(): string {
    return `"${this.schema}".events`;
  }

  async append(streamId: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision = 'any'): Promise<AppendResult> {
    const [result] = await this.appendMany([{ streamId, expectedRevision, events }]);
    return result;
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const request = encodeAppends(appends);
    if (request.ids.length === 0) return this.checkWithoutWriting(appends);
    const rows = await this.callAppend(request);
    if (rows.some((row) => !row.duplicate)) this.wakeSubscriptions();

    let offset = 0;
    return appends.map((append) => {
      const events = rows.slice(offset, offset + append.events.length).map((row) => ({
        id: row.event_id,
        streamId: row.stream_id,
        revision: Number(row.revision),
        position: Number(row.position),
        duplicate: row.duplicate,
        differentContent: row.different_content,
      }));
      offset += append.events.length;
      const own = events.filter((event) => event.streamId === append.streamId);
      return { streamId: append.streamId, nextExpectedRevision: Math.max(-1, ...own.map((event) => event.revision)), events };
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const backwards = options.direction === 'backwards';
    const from = options.fromRevision ?? (backwards ? Number.MAX_SAFE_INTEGER : 0);
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.eventsTable}
        WHERE stream_id = $1 AND revision ${backwards ? '<=' : '>='} $2
        ORDER BY revision ${backwards ? 'DESC' : 'ASC'} LIMIT $3`,
      [streamId, from, options.maxCount ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.eventsTable} WHERE position > $1 ORDER BY position LIMIT $2`,
      [options.afterPosition ?? 0, options.maxCount ?? null],
    );
    return rows.map(toRecordedEvent);
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ head: string }>(`SELECT coalesce(max(position), 0) AS head FROM ${this.eventsTable}`);
    return Number(rows[0].head);
  }

  subscribeToAll(options: SubscribeOptions): Subscription {
    const subscription = new PostgresSubscription(this.pool, this.eventsTable, options, this.pollIntervalMs);
    this.subscriptions.add(subscription);
    void subscription.closed.catch(() => undefined).finally(() => this.subscriptions.delete(subscription));
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    await this.pool.end();
  }

  /** An append of no events writes nothing but still answers for the expectation and the stream's revision. */
  private async checkWithoutWriting(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const { rows } = await this.pool.query<{ stream_id: string; revision: string }>(
      `SELECT stream_id, max(revision) AS revision FROM ${this.eventsTable} WHERE stream_id = ANY ($1) GROUP BY stream_id`,
      [appends.map((append) => append.streamId)],
    );
    const revisions = new Map(rows.map((row) => [row.stream_id, Number(row.revision)]));
    return appends.map(({ streamId, expectedRevision }) => {
      const actual = revisions.get(streamId) ?? -1;
      if (!expectedRevisionHolds(expectedRevision, actual)) throw new ConcurrencyError(streamId, expectedRevision, actual);
      return { streamId, nextExpectedRevision: actual, events: [] };
    });
  }

  /** Subscribers in this process learn of their own process's appends at once; others poll. */
  private wakeSubscriptions(): void {
    for (const subscription of this.subscriptions) subscription.wake();
  }

  private async callAppend(request: EncodedAppend): Promise<AppendRow[]> {
    const statement = appendStatement(this.schema, request);
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.pool.query<AppendRow>(statement)).rows;
      } catch (error) {
        // Two writers racing with the same new event id on different streams: the loser
        // retries once and then finds the winner's event as a duplicate.
        if (pgCode(error) === UNIQUE_VIOLATION && attempt === 1) continue;
        throw translateError(error);
      }
    }
  }
}

interface AppendRow {
  event_id: string;
  stream_id: string;
  revision: string;
  position: string;
  duplicate: boolean;
  different_content: boolean;
}

export interface EncodedAppend {
  streams: string[];
  expected: number[];
  streamIndex: number[];
  ids: string[];
  types: string[];
  /** [data, metadata] or [data, metadata, contentHash] of each event, in the order of `ids`. */
  payloads: ([unknown, Record<string, unknown>] | [unknown, Record<string, unknown>, string])[];
}

/** The one statement an append runs: exported so that tests can run it inside a transaction they hold open. */
export function appendStatement(schema: string, request: EncodedAppend): { text: string; values: unknown[] } {
  return {
    text: `SELECT event_id, stream_id, revision, position, duplicate, different_content FROM "${schema}".append_events($1, $2, $3, $4, $5, $6)`,
    values: [request.streams, request.expected, request.streamIndex, request.ids, request.types, JSON.stringify(request.payloads)],
  };
}

export function encodeAppends(appends: readonly StreamAppend[]): EncodedAppend {
  const encoded: EncodedAppend = { streams: [], expected: [], streamIndex: [], ids: [], types: [], payloads: [] };
  const seenStreams = new Set<string>();
  const seenIds = new Set<string>();
  for (const append of appends) {
    if (typeof append.streamId !== 'string' || append.streamId.length === 0 || append.streamId.length > 512) {
      throw new InvalidAppendError('stream id must be a non-empty string of at most 512 characters');
    }
    if (seenStreams.has(append.streamId)) throw new InvalidAppendError(`stream ${append.streamId} appears twice in one appendMany`);
    seenStreams.add(append.streamId);
    encoded.streams.push(append.streamId);
    encoded.expected.push(encodeExpected(append.expectedRevision));
    for (const event of append.events) {
      if (!UUID.test(event.id)) throw new InvalidAppendError(`event id '${event.id}' is not a UUID`);
      const id = event.id.toLowerCase();
      if (seenIds.has(id)) throw new InvalidAppendError(`event id ${id} appears twice in one append`);
      seenIds.add(id);
      if (!event.type) throw new InvalidAppendError(`event ${id} has no type`);
      encoded.streamIndex.push(encoded.streams.length);
      encoded.ids.push(id);
      encoded.types.push(event.type);
      if (event.contentHash !== undefined && typeof event.contentHash !== 'string') throw new InvalidAppendError(`event ${id} has a content hash that is not a string`);
      const payload = [event.data ?? null, event.metadata ?? {}] as const;
      encoded.payloads.push(event.contentHash === undefined ? [...payload] : [...payload, event.contentHash]);
    }
  }
  return encoded;
}

function encodeExpected(expected: ExpectedRevision): number {
  switch (expected) {
    case 'any':
      return EXPECTED_ANY;
    case 'no_stream':
      return EXPECTED_NO_STREAM;
    case 'stream_exists':
      return EXPECTED_STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new InvalidAppendError(`expected revision must be 'any', 'no_stream', 'stream_exists' or a revision ≥ 0`);
      }
      return expected;
  }
}

function decodeExpected(code: number): ExpectedRevision {
  if (code === EXPECTED_ANY) return 'any';
  if (code === EXPECTED_NO_STREAM) return 'no_stream';
  if (code === EXPECTED_STREAM_EXISTS) return 'stream_exists';
  return code;
}

function pgCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

function translateError(error: unknown): unknown {
  if (pgCode(error) !== WRONG_EXPECTED_REVISION) return error;
  const detail = JSON.parse((error as { detail: string }).detail) as { streamId: string; expected: number; actual: number };
  return new ConcurrencyError(detail.streamId, decodeExpected(Number(detail.expected)), Number(detail.actual));
}
