import { performance } from 'node:perf_hooks';
import { JsonClient } from '@rapport/cli/src/http-client';
import { benchId, historyEvent } from './timeline-workload';

// Runs in its own process (forked by timeline.bench.ts), so the server's event loop and
// RSS are the server's alone.

export type LoadTask =
  | { kind: 'lag'; url: string; emitterKey: string; supportKey: string; rate: number; seconds: number; batchSize: number; customers: number; followed: number }
  | { kind: 'pages'; url: string; supportKey: string; customerId: string; requests: number };

export interface LoadResult {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly missing: number;
  readonly failures: number;
  readonly ratePerSecond?: number;
  /** Batch POST latency p50 / p99 (ms), lag runs only. */
  readonly postP50?: number;
  readonly postP99?: number;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Follows one customer's SSE stream, calling `onEntry` with each entry's event id as it arrives. */
async function follow(url: string, key: string, customerId: string, signal: AbortSignal, onEntry: (eventId: string) => void, onReady: () => void): Promise<void> {
  const response = await fetch(`${url}/v1/customers/${customerId}/timeline/stream`, { headers: { authorization: `Bearer ${key}` }, signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (block.includes('event: ready')) onReady();
        const id = /^id: (.+)$/m.exec(block)?.[1];
        if (id && block.includes('event: entry')) onEntry(id);
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

/**
 * Emits at a steady rate through POST /v1/events/batch (small batches at even intervals),
 * round-robin over `customers`; lag = entry arriving on the live stream − POST response,
 * for the events of the `followed` first customers.
 */
async function runLag(task: Extract<LoadTask, { kind: 'lag' }>): Promise<LoadResult> {
  const abort = new AbortController();
  const responded = new Map<string, number>();
  const postTimes: number[] = [];
  const arrived = new Map<string, number>();
  let ready = 0;
  const customers = Array.from({ length: task.customers }, (_, i) => `lag-${i}`);
  const streams = customers.slice(0, task.followed).map((customerId) =>
    follow(task.url, task.supportKey, customerId, abort.signal, (id) => arrived.set(id, performance.now()), () => ready++),
  );
  while (ready < task.followed) await new Promise((resolve) => setTimeout(resolve, 10));

  const client = new JsonClient(task.url, task.emitterKey, { maxSockets: 64 });
  const requests = Math.round((task.rate * task.seconds) / task.batchSize);
  let failures = 0;
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  for (let r = 0; r < requests; r++) {
    // Request r is due at r × batchSize / rate seconds after the start: a steady rate, not bursts.
    const due = started + (r * task.batchSize * 1000) / task.rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const events = Array.from({ length: task.batchSize }, (_, i) => {
      const n = r * task.batchSize + i;
      return { ...historyEvent(customers[n % customers.length], n), id: benchId(`lag:${n}`), followed: n % customers.length < task.followed };
    });
    const postedAt = performance.now();
    const body = JSON.stringify({ events: events.map(({ followed: _, ...event }) => event) });
    const sent = client.postJson('/v1/events/batch', body).then((response) => {
      const now = performance.now();
      postTimes.push(now - postedAt);
      if (response.status !== 200) failures++;
      else for (const event of events) if (event.followed) responded.set(event.id, now);
    });
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  }
  const total = requests * task.batchSize;
  await Promise.all(inFlight);
  const ratePerSecond = total / ((performance.now() - started) / 1000);
  const deadline = performance.now() + 10_000;
  while (arrived.size < responded.size && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  abort.abort();
  await Promise.allSettled(streams);
  client.close();

  const lags: number[] = [];
  for (const [id, at] of responded) {
    const seen = arrived.get(id);
    if (seen !== undefined) lags.push(Math.max(0, seen - at));
  }
  lags.sort((a, b) => a - b);
  postTimes.sort((a, b) => a - b);
  return {
    count: lags.length,
    p50: percentile(lags, 50),
    p99: percentile(lags, 99),
    missing: responded.size - lags.length,
    failures,
    ratePerSecond,
    postP50: percentile(postTimes, 50),
    postP99: percentile(postTimes, 99),
  };
}

/** GETs the first timeline page of one customer, one request at a time. */
async function runPages(task: Extract<LoadTask, { kind: 'pages' }>): Promise<LoadResult> {
  const client = new JsonClient(task.url, task.supportKey, { maxSockets: 1 });
  const times: number[] = [];
  let failures = 0;
  for (let i = 0; i < task.requests; i++) {
    const started = performance.now();
    const response = await client.get(`/v1/customers/${task.customerId}/timeline`);
    const ms = performance.now() - started;
    const entries = (response.body as { entries?: unknown[] }).entries;
    if (response.status !== 200 || entries?.length !== 50) failures++;
    // The first requests warm connections and caches up.
    else if (i >= 50) times.push(ms);
  }
  client.close();
  times.sort((a, b) => a - b);
  return { count: times.length, p50: percentile(times, 50), p99: percentile(times, 99), missing: 0, failures };
}

process.on('message', (task: LoadTask) => {
  const run = task.kind === 'lag' ? runLag(task) : runPages(task);
  run.then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ error: error instanceof Error ? error.stack : String(error) }),
  );
});
