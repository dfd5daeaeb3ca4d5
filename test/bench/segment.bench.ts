import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { benchEvents, type BenchEvent } from '@rapport/cli/src/bench/workload';
import { JsonClient } from '@rapport/cli/src/http-client';
import { createIngestApp } from '@rapport/ingest';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { fmt, printTable, rssSampler, say, startBenchDatabase } from './bench-kit';

// `npm run bench:segment`: the same orders and visits through the native batch API
// (/v1/events/batch) and through the Segment-compatible one (/v1/batch, as Segment's SDKs send
// them), against one ingest app on a temporary embedded PostgreSQL (fsync on), in the same run,
// alternating rounds so that a neighbour's load hurts both alike. BENCH_EVENTS sets the events
// per round, BENCH_BATCH the events per request, BENCH_CLIENTS the concurrent clients.

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 100);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 8);
const ROUNDS = 2;
const money = (minor: number) => minor / 100;

/** The Segment message an emitter with Segment's SDK would send for the same fact. */
function segmentMessage(event: BenchEvent): Record<string, unknown> {
  const common = { messageId: randomUUID(), userId: event.customerId, timestamp: event.occurredAt };
  if (event.type === 'OrderPlaced') {
    const { orderId, currency, total, lines } = event.data;
    return {
      ...common,
      type: 'track',
      event: 'Order Completed',
      properties: { order_id: orderId, currency, total: money(total), products: lines.map((line) => ({ sku: line.sku, name: line.name, quantity: line.quantity, price: money(line.unitPrice) })) },
    };
  }
  const { sessionId, landingPage, referrer } = event.data;
  return { ...common, type: 'page', properties: { url: landingPage, session_id: sessionId, ...(referrer ? { referrer } : {}) } };
}

interface Round {
  readonly count: number;
  readonly ms: number;
}

async function drive(client: JsonClient, path: string, bodies: readonly string[]): Promise<Round> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < bodies.length) {
        const response = await client.postJson(path, bodies[next++]!);
        if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
      }
    }),
  );
  return { count: bodies.length * BATCH, ms: performance.now() - started };
}

function requests(from: number, api: 'native' | 'segment'): string[] {
  const bodies: string[] = [];
  for (let at = from; at < from + EVENTS; at += BATCH) {
    const events = benchEvents(at, BATCH);
    bodies.push(JSON.stringify(api === 'native' ? { events } : { batch: events.map(segmentMessage), sentAt: new Date().toISOString() }));
  }
  return bodies;
}

async function main(): Promise<void> {
  const rss = rssSampler();
  const bench = await startBenchDatabase();
  const app = { close: async () => undefined } as { close(): Promise<unknown> };
  try {
    const apiKeys = new ApiKeyStore(bench.pool);
    await apiKeys.migrate();
    const { key } = await apiKeys.create({ role: 'emitter', name: 'bench' });
    const ingest = await createIngestApp({ store: bench.store, apiKeys, logger: createLogger({ level: 'warn', serviceName: 'segment-bench' }) });
    app.close = () => ingest.close();
    await ingest.listen(0, '127.0.0.1');
    const client = new JsonClient(await ingest.getUrl(), key, { maxSockets: CLIENTS });

    let from = 0;
    const take = () => (from += EVENTS) - EVENTS;
    say('warming up …');
    await drive(client, '/v1/events/batch', requests(take(), 'native').slice(0, 20));
    await drive(client, '/v1/batch', requests(take(), 'segment').slice(0, 20));

    const best = { native: 0, segment: 0 };
    const worst = { native: Infinity, segment: Infinity };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [api, path] of [['native', '/v1/events/batch'], ['segment', '/v1/batch']] as const) {
        const bodies = requests(take(), api);
        say(`round ${round}: ${fmt(EVENTS)} events through ${path} …`);
        const { count, ms } = await drive(client, path, bodies);
        const rate = count / (ms / 1000);
        best[api] = Math.max(best[api], rate);
        worst[api] = Math.min(worst[api], rate);
      }
    }
    client.close();
    const head = await bench.store.headPosition();
    printTable('Segment API', [
      ['', 'best', 'worst'],
      [`native /v1/events/batch, ${BATCH}-event requests, ${CLIENTS} clients`, `${fmt(best.native)} ev/s`, `${fmt(worst.native)} ev/s`],
      [`Segment /v1/batch, ${BATCH}-message requests, ${CLIENTS} clients`, `${fmt(best.segment)} ev/s`, `${fmt(worst.segment)} ev/s`],
      ['Segment / native (best)', (best.segment / best.native).toFixed(2), ''],
      ['events stored', fmt(head), ''],
      ['peak RSS (app and clients)', `${fmt(rss.peak() / 1024 / 1024)} MB`, ''],
    ]);
  } finally {
    rss.stop();
    await app.close().catch(() => undefined);
    await bench.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
