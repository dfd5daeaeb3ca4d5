import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { JsonClient } from '../http-client';
import { streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import { benchEvent, benchEvents, personalEvent, RawRows, type RawRow } from './workload';

// The load generator runs in its own process (forked by ingest-bench.ts), so the server's
// event loop and RSS are the server's alone.

export type LoadTask =
  | { kind: 'batches'; url: string; key: string; from: number; batches: number; batchSize: number; clients: number; personal?: boolean }
  | { kind: 'singles'; url: string; key: string; from: number; requests: number; clients: number }
  | { kind: 'raw'; databaseUrl: string; table: string; from: number; rows: number; rowsPerStatement: number; connections: number }
  | { kind: 'emmett'; databaseUrl: string; from: number; events: number; batchSize: number; clients: number };

export interface LoadResult {
  readonly count: number;
  readonly ms: number;
  readonly failures: number;
  readonly firstFailure?: string;
  /** Per-request latencies in ms, for `singles`. */
  readonly p50?: number;
  readonly p99?: number;
}

async function runBatches(task: Extract<LoadTask, { kind: 'batches' }>): Promise<LoadResult> {
  const client = new JsonClient(task.url, task.key, { maxSockets: task.clients });
  let next = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: task.clients }, async () => {
      while (next < task.batches) {
        const batch = next++;
        const first = task.from + batch * task.batchSize;
        const events = task.personal ? Array.from({ length: task.batchSize }, (_, k) => personalEvent(first + k)) : benchEvents(first, task.batchSize);
        const body = JSON.stringify({ events });
        const response = await client.postJson('/v1/events/batch', body);
        if (response.status !== 200) {
          failures++;
          firstFailure ??= `${response.status} ${JSON.stringify(response.body).slice(0, 300)}`;
        }
      }
    }),
  );
  const ms = performance.now() - started;
  client.close();
  return { count: task.batches * task.batchSize, ms, failures, firstFailure };
}

async function runSingles(task: Extract<LoadTask, { kind: 'singles' }>): Promise<LoadResult> {
  const client = new JsonClient(task.url, task.key, { maxSockets: task.clients });
  const bodies = Array.from({ length: task.requests }, (_, k) => JSON.stringify(benchEvent(task.from + k)));
  const latencies = new Float64Array(task.requests);
  let next = 0;
  let failures = 0;
  let firstFailure: string | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: task.clients }, async () => {
      while (next < task.requests) {
        const request = next++;
        const sent = performance.now();
        const response = await client.postJson('/v1/events', bodies[request]);
        latencies[request] = performance.now() - sent;
        if (response.status !== 201) {
          failures++;
          firstFailure ??= `${response.status} ${JSON.stringify(response.body).slice(0, 300)}`;
        }
      }
    }),
  );
  const ms = performance.now() - started;
  client.close();
  latencies.sort();
  const quantile = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { count: task.requests, ms, failures, firstFailure, p50: quantile(0.5), p99: quantile(0.99) };
}

function insertStatement(table: string, rows: readonly RawRow[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const tuples = rows.map((row) => {
    const base = values.push(row.eventId, row.streamId, row.revision, row.type, row.data, row.metadata) - 6;
    return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}::jsonb, $${base + 6}::jsonb)`;
  });
  return { text: `INSERT INTO ${table} (event_id, stream_id, revision, type, data, metadata) VALUES ${tuples.join(', ')}`, values };
}

async function runRaw(task: Extract<LoadTask, { kind: 'raw' }>): Promise<LoadResult> {
  const clients = await Promise.all(
    Array.from({ length: task.connections }, async () => {
      const client = new Client({ connectionString: task.databaseUrl });
      await client.connect();
      return client;
    }),
  );
  const rows = new RawRows();
  const statements = Math.ceil(task.rows / task.rowsPerStatement);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < statements) {
        const statement = next++;
        const count = Math.min(task.rowsPerStatement, task.rows - statement * task.rowsPerStatement);
        const events = benchEvents(task.from + statement * task.rowsPerStatement, count);
        await client.query(insertStatement(task.table, rows.rows(events, new Date().toISOString())));
      }
    }),
  );
  const ms = performance.now() - started;
  await Promise.all(clients.map((client) => client.end()));
  return { count: task.rows, ms, failures: 0 };
}

/**
 * Emmett-PG's appendToStream on the same events, in its own tables of the same database: each
 * client takes a batch and appends it stream by stream (Emmett appends to one stream a call).
 */
async function runEmmett(task: Extract<LoadTask, { kind: 'emmett' }>): Promise<LoadResult> {
  const { emmettAppender } = await import('@rapport/emmett-baseline');
  const store = emmettAppender(task.databaseUrl);
  const toEmmett = (events: readonly ReturnType<typeof benchEvent>[]) => {
    const streams = new Map<string, { type: string; data: Record<string, unknown>; metadata: Record<string, unknown> }[]>();
    const receivedAt = new Date().toISOString();
    for (const event of events) {
      const stored = toStoredEvent({ ...event, version: 1 } as Envelope<string, unknown>, receivedAt);
      const streamId = streamIdFor(event as { customerId: string });
      const list = streams.get(streamId) ?? [];
      list.push({ type: stored.type, data: stored.data as Record<string, unknown>, metadata: { ...stored.metadata, eventId: stored.id } });
      streams.set(streamId, list);
    }
    return streams;
  };
  // Emmett creates its schema on first use: not part of the timing.
  for (const [streamId, events] of toEmmett([benchEvent(task.from)])) await store.append(streamId, events);
  const batches = Math.ceil(task.events / task.batchSize);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: task.clients }, async () => {
      while (next < batches) {
        const batch = next++;
        const count = Math.min(task.batchSize, task.events - batch * task.batchSize);
        for (const [streamId, events] of toEmmett(benchEvents(task.from + 1 + batch * task.batchSize, count))) {
          await store.append(streamId, events);
        }
      }
    }),
  );
  const ms = performance.now() - started;
  await store.close();
  return { count: task.events, ms, failures: 0 };
}

function run(task: LoadTask): Promise<LoadResult> {
  switch (task.kind) {
    case 'batches':
      return runBatches(task);
    case 'singles':
      return runSingles(task);
    case 'raw':
      return runRaw(task);
    case 'emmett':
      return runEmmett(task);
    default: {
      const unknownTask: never = task;
      throw new Error(`unknown load task ${JSON.stringify(unknownTask)}`);
    }
  }
}

process.on('message', (task: LoadTask) => {
  run(task).then(
    (result) => process.send?.({ ok: true, result }),
    (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
