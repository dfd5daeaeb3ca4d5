import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { streamIdFor, toStoredEvent, type Envelope } from '@rapport/contracts';
import { createCasesApp, defaultPolicy, startCases } from '@rapport/cases';
import { computeClocks } from '@rapport/cases/src/sla/clocks';
import type { CaseEvent } from '@rapport/cases/src/case/state';
import type { StreamAppend } from '@rapport/event-store';
import { ApiKeyStore, createLogger } from '@rapport/platform';
import { fmt, percentile, say, startBenchDatabase } from './bench-kit';

// `npm run bench:cases`: 100,000 open cases on a temporary embedded PostgreSQL (fsync on).
// Prints the cases projection's catch-up rate (events/s, SLA clocks recomputed per case),
// the pure SLA recompute rate, and the work-queue query latency over HTTP beside the same
// page read with raw SQL. BENCH_CASES picks another size, BENCH_QUERIES the number of GETs.

const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 2000);
const CLIENTS = 8;
const TARGETS = { queueP99Ms: 20 } as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const CATEGORIES = ['delivery', 'product', 'billing', 'refund', 'service', 'website', 'other'] as const;

const uuid = (n: number, kind: number) => `5${kind}000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** One case per index: mostly complaints (a third answered, some assigned), every tenth a callback. */
function eventsOf(n: number): Envelope<string, unknown>[] {
  const customerId = `bench-${n % 20_000}`;
  const at = new Date(Date.UTC(2030, 0, 1) + n * 15_000);
  const base = { version: 1, customerId, source: 'bench' };
  if (n % 10 === 9) {
    return [{ ...base, id: uuid(n, 0), type: 'CallbackRequested', occurredAt: at.toISOString(), data: { callbackId: `cb-${n}`, reason: n % 20 === 19 ? 'retention' : 'question', phone: '+447700900123', preferredWindow: { from: '09:00', to: '17:00' } } }];
  }
  const complaintId = `cmp-${n}`;
  const events: Envelope<string, unknown>[] = [
    { ...base, id: uuid(n, 0), type: 'ComplaintFiled', occurredAt: at.toISOString(), data: { complaintId, category: CATEGORIES[n % 7], severity: SEVERITIES[n % 4], channel: 'email', summary: 'Late parcel' } },
  ];
  if (n % 3 === 0) events.push({ ...base, id: uuid(n, 1), type: 'ComplaintAssigned', occurredAt: new Date(at.getTime() + 60_000).toISOString(), data: { complaintId, assigneeId: `agent-${n % 25}` } });
  if (n % 3 === 1) events.push({ ...base, id: uuid(n, 2), type: 'ComplaintResponded', occurredAt: new Date(at.getTime() + 3_600_000).toISOString(), data: { complaintId, message: 'On it', awaitingCustomer: n % 2 === 0 } });
  return events;
}

async function main(): Promise<void> {
  const bench = await startBenchDatabase({ storePoolSize: 4, poolMax: 10 });
  try {
    const { store, pool } = bench;
    say(`seeding ${fmt(CASES)} cases …`);
    let events = 0;
    const histories: CaseEvent[][] = [];
    for (let start = 0; start < CASES; start += 2000) {
      const streams = new Map<string, StreamAppend['events'][number][]>();
      for (let n = start; n < Math.min(CASES, start + 2000); n++) {
        const list = eventsOf(n);
        histories.push(list.map((event) => ({ type: event.type, occurredAt: event.occurredAt, data: event.data }) as CaseEvent));
        for (const event of list) {
          const streamId = streamIdFor(event as { customerId: string });
          if (!streams.has(streamId)) streams.set(streamId, []);
          streams.get(streamId)!.push(toStoredEvent(event, event.occurredAt));
          events++;
        }
      }
      await store.appendMany([...streams].map(([streamId, list]) => ({ streamId, expectedRevision: 'any', events: list })));
    }

    const policy = defaultPolicy();
    say('pure SLA recompute …');
    const pureStarted = performance.now();
    for (const history of histories) computeClocks(history, policy);
    const pureSeconds = (performance.now() - pureStarted) / 1000;

    say('cases projection catching up …');
    const started = performance.now();
    const cases = await startCases({ store, pool, policy, schedulerIntervalMs: 0, batchSize: 1000 });
    await cases.projections.settled(3_600_000);
    const projectionSeconds = (performance.now() - started) / 1000;
    await cases.stop();
    const [{ open }] = (await pool.query(`SELECT count(*)::int AS open FROM cases.cases WHERE status IN ('open', 'responded', 'escalated', 'reopened', 'requested', 'scheduled')`)).rows;

    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    const { key } = await apiKeys.create({ role: 'support', name: 'bench' });
    const app = await createCasesApp({ store, pool, policy, apiKeys, schedulerIntervalMs: 0, logger: createLogger({ level: 'error', serviceName: 'cases' }) });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const firstPage = (await (await fetch(`${baseUrl}/v1/cases?limit=50`, { headers: { authorization: `Bearer ${key}` } })).json()) as { nextCursor: string };
    const paths = [
      '/v1/cases?limit=50',
      `/v1/cases?limit=50&cursor=${firstPage.nextCursor}`,
      '/v1/cases?status=open&limit=50',
      '/v1/cases?assignee=agent-7&limit=50',
      '/v1/cases?kind=callback&limit=50',
      '/v1/cases?breached=false&limit=50',
      '/v1/cases?dueBefore=2030-01-20T00:00:00Z&limit=50',
      '/v1/cases?status=responded&assignee=agent-3&limit=50',
    ];
    for (const path of paths) await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const get = async (path: string) => {
      const t0 = performance.now();
      const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
      return performance.now() - t0;
    };
    // Latency: one client, one query after another.
    const latencies: number[] = [];
    const perPath = new Map<string, number[]>(paths.map((path) => [path, []]));
    for (let i = 0; i < QUERIES; i++) {
      const path = paths[i % paths.length];
      const ms = await get(path);
      latencies.push(ms);
      perPath.get(path)!.push(ms);
    }
    // Throughput under load: CLIENTS at once (queueing in one Node process included).
    const loaded: number[] = [];
    let next = 0;
    const loadStarted = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < QUERIES) loaded.push(await get(paths[next++ % paths.length]));
      }),
    );
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    await app.close();
    // Baseline: the first page read with raw SQL on the same pool, one client.
    const raw: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t0 = performance.now();
      await pool.query('SELECT * FROM cases.cases ORDER BY due_sort, case_id LIMIT 51');
      raw.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    loaded.sort((a, b) => a - b);
    raw.sort((a, b) => a - b);
    const p99 = percentile(latencies, 99);

    console.log('');
    console.log(`cases benchmark — ${fmt(CASES)} cases (${fmt(open)} open), ${fmt(events)} events`);
    console.log(`  projection catch-up (clocks recomputed per case) ${fmt(events / projectionSeconds)} events/s  (${fmt(projectionSeconds, 1)} s)`);
    console.log(`  pure SLA recompute (computeClocks)               ${fmt(events / pureSeconds)} events/s  (${fmt(histories.length / pureSeconds)} cases/s)`);
    console.log(`  queue GET /v1/cases over HTTP, 1 client, ${fmt(QUERIES)} queries over ${paths.length} filter mixes`);
    console.log(`    p50 ${fmt(percentile(latencies, 50), 2)} ms   p99 ${fmt(p99, 2)} ms   target p99 ≤ ${TARGETS.queueP99Ms} ms   ${p99 <= TARGETS.queueP99Ms ? 'MET' : 'MISSED'}`);
    for (const [path, list] of perPath) {
      list.sort((a, b) => a - b);
      console.log(`      ${path.slice(0, 60).padEnd(60)} p50 ${fmt(percentile(list, 50), 2)} ms   p99 ${fmt(percentile(list, 99), 2)} ms`);
    }
    console.log(`  same queries, ${CLIENTS} clients at once: ${fmt(QUERIES / loadSeconds)} queries/s   p50 ${fmt(percentile(loaded, 50), 2)} ms   p99 ${fmt(percentile(loaded, 99), 2)} ms`);
    console.log(`    baseline raw SQL first page, 1 client: p50 ${fmt(percentile(raw, 50), 2)} ms   p99 ${fmt(percentile(raw, 99), 2)} ms`);
  } finally {
    await bench.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
