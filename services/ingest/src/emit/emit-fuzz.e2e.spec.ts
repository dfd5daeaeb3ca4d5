import fc from 'fast-check';
import { exampleEvents } from '@rapport/contracts';
import { startIngestTestApp, type IngestTestApp } from './emit-test-app';

const INPUTS = 10_000;
const CONCURRENCY = 8;

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=fuzz',
  'application/xml',
  'application/problem+json',
  undefined,
];

const ENVELOPE_KEYS = ['id', 'type', 'occurredAt', 'source', 'data'];

/** A real event broken in a way that can never validate: a required field dropped, retyped or an unknown key added. */
const brokenEvent = fc
  .record({
    event: fc.constantFrom(...exampleEvents()),
    key: fc.constantFrom(...ENVELOPE_KEYS),
    how: fc.constantFrom('drop', 'retype', 'extra'),
    junk: fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 })),
  })
  .map(({ event, key, how, junk }) => {
    const copy: Record<string, unknown> = structuredClone(event);
    if (how === 'drop') delete copy[key];
    else if (how === 'retype') copy[key] = junk;
    else copy[`x_${key}`] = junk;
    return copy;
  });

const body = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 512 }).map((text) => Buffer.from(text)),
  fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  brokenEvent.map((event) => Buffer.from(JSON.stringify(event))),
  fc.array(brokenEvent, { minLength: 1, maxLength: 5 }).map((events) => Buffer.from(JSON.stringify({ events }))),
  fc.nat({ max: 5000 }).map((depth) => Buffer.from('['.repeat(depth) + ']'.repeat(depth))),
);

const request = fc.record({
  path: fc.constantFrom('/v1/events', '/v1/events/batch'),
  contentType: fc.constantFrom(...CONTENT_TYPES),
  body,
});

describe('ingest under random input', () => {
  let ingest: IngestTestApp;

  beforeAll(async () => {
    ingest = await startIngestTestApp('ingest_fuzz');
  });

  afterAll(async () => {
    await ingest?.close();
  });

  it(`answers ${INPUTS} random byte strings with 4xx only, storing nothing`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
    const requests = fc.sample(request, { numRuns: INPUTS, seed });
    const headBefore = await ingest.store.headPosition();
    const statuses = new Map<number, number>();
    const failures: string[] = [];

    let next = 0;
    async function worker(): Promise<void> {
      while (next < requests.length) {
        const index = next++;
        const { path, contentType, body: bytes } = requests[index]!;
        const headers: Record<string, string> = { authorization: `Bearer ${ingest.keys.emitter}` };
        if (contentType) headers['content-type'] = contentType;
        const response = await fetch(`${ingest.baseUrl}${path}`, { method: 'POST', headers, body: bytes });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const isProblem = response.headers.get('content-type')?.startsWith('application/problem+json') ?? false;
        if (response.status < 400 || response.status >= 500 || !isProblem) {
          failures.push(`#${index} ${path} ${contentType}: ${response.status} ${text.slice(0, 200)} for ${bytes.toString('hex').slice(0, 120)}`);
        }
      }
    }
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect({ seed, failures: failures.slice(0, 10) }).toEqual({ seed, failures: [] });
    expect([...statuses.values()].reduce((sum, count) => sum + count, 0)).toBe(INPUTS);
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 415]));
    expect(await ingest.store.headPosition()).toBe(headBefore);

    // Still alive and still working.
    expect((await fetch(`${ingest.baseUrl}/health/live`)).status).toBe(200);
    const [valid] = exampleEvents();
    const accepted = await fetch(`${ingest.baseUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest.keys.emitter}`, 'content-type': 'application/json' },
      body: JSON.stringify(valid),
    });
    expect(accepted.status).toBe(201);
    expect(await ingest.store.headPosition()).toBeGreaterThan(headBefore);
  }, 180_000);
});
