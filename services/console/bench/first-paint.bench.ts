// `npm run bench:console`: first paint of the Customer 360 page for a customer with 10,000
// timeline entries, in Debian's chromium, from the browser's own performance timings, beside
// a baseline from the same run (a customer with 10 entries). Prints figures; asserts nothing.
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { browserUnavailable, CHROMIUM, eventually, Platform } from '../e2e/platform';

const BIG = Number(process.env.BENCH_ENTRIES ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const TARGET_MS = 1000;

const visits = (customerId: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    type: 'VisitRecorded',
    customerId,
    occurredAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
    source: 'bench',
    data: { sessionId: `s-${i}`, channel: i % 2 ? 'web' : 'app', pages: (i % 7) + 1, landingPage: `/products/${i % 97}` },
  }));

async function seed(platform: Platform, customerId: string, count: number): Promise<void> {
  const events = visits(customerId, count);
  for (let start = 0; start < events.length; start += 500) {
    const answer = await platform.call('POST', '/v1/events/batch', platform.keys.emitter!, { events: events.slice(start, start + 500) });
    if (answer.status >= 300) throw new Error(`batch failed: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  }
  await eventually(async () => {
    const profile = await platform.call('GET', `/v1/customers/${customerId}`, platform.keys.support!);
    return profile.body?.interactions === count ? true : undefined;
  }, `${count} entries for ${customerId}`, 300_000);
}

// These run in the page; the repository's type check has no DOM library, so the page's globals are typed here.
interface PageGlobals {
  document: { querySelectorAll(selector: string): { length: number } };
  PerformanceObserver: new (callback: (list: { getEntries(): { duration: number }[] }) => void) => { observe(options: { type: string; buffered?: boolean }): void };
  longTasks: number[];
}

interface Timing {
  firstContentfulPaint: number;
  firstEntry: number;
  rowsInDom: number;
}

/** Milliseconds from navigation start: first contentful paint, and the first timeline row on screen. */
async function measure(page: Page, url: string): Promise<Timing> {
  await page.goto(url, { waitUntil: 'commit' });
  await page.getByTestId('timeline-entry').first().waitFor({ timeout: 30_000 });
  return page.evaluate(() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0];
    const rows = (globalThis as unknown as PageGlobals).document.querySelectorAll('[data-testid="timeline-entry"]');
    // Marked by the console when the first rows render (see timeline-panel.tsx).
    const firstEntry = performance.getEntriesByName('rapport:first-timeline-entries')[0];
    return { firstContentfulPaint: paint?.startTime ?? NaN, firstEntry: firstEntry?.startTime ?? NaN, rowsInDom: rows.length };
  });
}

/**
 * Scrolls the big timeline to its end again and again until every entry is loaded (each jump
 * makes the list fetch the next page); counts the main thread's long tasks (over 50 ms)
 * meanwhile, which is what jank is.
 */
async function scrollThrough(page: Page, url: string, total: number): Promise<{ ms: number; longTasks: number; longestMs: number; rowsInDom: number }> {
  await page.goto(url);
  await page.getByTestId('timeline-entry').first().waitFor({ timeout: 30_000 });
  await page.evaluate(() => {
    const page = globalThis as unknown as PageGlobals;
    const store: number[] = (page.longTasks = []);
    new page.PerformanceObserver((list) => list.getEntries().forEach((entry) => store.push(entry.duration))).observe({ type: 'longtask', buffered: false });
  });
  const viewport = page.getByLabel('Timeline entries, newest first');
  const started = Date.now();
  for (;;) {
    const count = (await page.getByTestId('timeline-count').textContent()) ?? '';
    if (count.startsWith(`${total} entries`)) break;
    if (Date.now() - started > 240_000) throw new Error(`scrolling stopped at "${count}"`);
    await viewport.evaluate((element) => element.scrollTo(0, element.scrollHeight));
    await page.waitForTimeout(16);
  }
  const ms = Date.now() - started;
  return page.evaluate((elapsed) => {
    const page = globalThis as unknown as PageGlobals;
    return { ms: elapsed, longTasks: page.longTasks.length, longestMs: Math.max(0, ...page.longTasks), rowsInDom: page.document.querySelectorAll('[data-testid="timeline-entry"]').length };
  }, ms);
}


const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (ms: number) => `${ms.toFixed(0).padStart(6)} ms`;

async function main(): Promise<void> {
  const unavailable = browserUnavailable();
  if (unavailable) {
    console.log(`console first-paint benchmark not run: ${unavailable}`);
    return;
  }
  const platform = await Platform.start();
  try {
    process.stderr.write(`seeding ${BIG} + 10 timeline entries …\n`);
    await seed(platform, 'bench-small', 10);
    await seed(platform, 'bench-big', BIG);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const signIn = await context.newPage();
    await signIn.goto(`${platform.url}/console/`);
    await signIn.getByLabel('Email').fill(platform.staff.support.email);
    await signIn.getByRole('textbox', { name: 'Password' }).fill(platform.staff.support.password);
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    await signIn.getByRole('heading', { name: 'Find a customer' }).waitFor();
    await signIn.close();

    const results: Record<string, Timing[]> = { 'bench-small': [], 'bench-big': [] };
    for (let run = 0; run < RUNS + 1; run += 1) {
      for (const customer of Object.keys(results)) {
        const page = await context.newPage();
        const timing = await measure(page, `${platform.url}/console/customers/${customer}`);
        if (run > 0) results[customer]!.push(timing); // the first run warms the caches
        await page.close();
      }
    }
    const scroll = await scrollThrough(await context.newPage(), `${platform.url}/console/customers/bench-big`, BIG);
    await browser.close();
    const row = (label: string, timings: Timing[]) =>
      `${label.padEnd(34)} FCP ${fmt(median(timings.map((t) => t.firstContentfulPaint)))}   first rows ${fmt(median(timings.map((t) => t.firstEntry)))}   rows in DOM ${median(timings.map((t) => t.rowsInDom))}`;
    console.log(`Customer 360 first paint, median of ${RUNS} loads (ms from navigation start, chromium headless):`);
    console.log(row('baseline: 10 entries', results['bench-small']!));
    console.log(row(`${BIG.toLocaleString('en-GB')} entries`, results['bench-big']!));
    const big = median(results['bench-big']!.map((t) => t.firstEntry));
    console.log(
      `scrolling to the end until all ${BIG.toLocaleString('en-GB')} entries are loaded (${BIG / 100} pages fetched): ${(scroll.ms / 1000).toFixed(1)} s, ` +
        `${scroll.longTasks} long tasks over 50 ms (longest ${scroll.longestMs.toFixed(0)} ms), ${scroll.rowsInDom} rows in the DOM at the end`,
    );
    console.log(`target: first rows of the ${BIG.toLocaleString('en-GB')}-entry timeline < ${TARGET_MS} ms → ${big < TARGET_MS ? 'met' : 'NOT met'} (${(big / median(results['bench-small']!.map((t) => t.firstEntry))).toFixed(2)} × baseline)`);
  } finally {
    await platform.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
