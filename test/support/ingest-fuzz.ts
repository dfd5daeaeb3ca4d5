import fc from 'fast-check';
import { exampleEvents } from '@rapport/contracts';

/**
 * Hostile but plausible traffic for a running platform: real events with NUL, unpaired surrogates,
 * emoji at the summary cut, extreme UTC offsets, huge or impossible dates and ids up to and past
 * 128 characters; ids drawn from a small pool so re-sends and reused ids happen; and timeline reads
 * with the same values in path ids, query values and cursors.
 */

const IDENTIFIER_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:@+-';
const EVIL = ['\u0000', '\ud800', '\udfff', '\udc00\ud83d', '😀', '\u007f', '\n', '\u2028', '\ufffd', '%00', '%ff', '/', '?', '#', ' '];

const evilString = fc.oneof(
  fc.constantFrom(...EVIL),
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...EVIL), fc.string({ maxLength: 20 })).map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.nat({ max: 400 }).map((count) => `a${'😀'.repeat(count)}`),
);

const longId = fc
  .tuple(fc.integer({ min: 95, max: 140 }), fc.constantFrom(...IDENTIFIER_CHARS), fc.option(fc.constantFrom(...EVIL), { nil: undefined }))
  .map(([length, char, evil]) => `${char.repeat(length - (evil ? 1 : 0))}${evil ?? ''}`);

const customerId = fc.oneof(
  fc.constantFrom('fuzz-1', 'fuzz-2', 'cust-1001'),
  longId,
  fc.stringMatching(/^[A-Za-z0-9_.:@+-]{1,128}$/),
  evilString,
);

const two = (value: number) => String(value).padStart(2, '0');
const year = fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1899, 1900, 9999));
const offset = fc.oneof(
  fc.constant('Z'),
  fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([sign, h, m]) => `${sign}${two(h)}:${two(m)}`),
  fc.constantFrom('+15:59', '-15:59', '+16:00', '-16:00', '+23:59', '+24:00', '+1600', '+16'),
);
const dateTime = fc.oneof(
  fc
    .record({
      year,
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      hour: fc.integer({ min: 0, max: 25 }),
      fraction: fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: undefined }),
      offset,
    })
    .map(({ year, month, day, hour, fraction, offset }) => `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}T${two(hour)}:30:00${fraction ? `.${fraction}` : ''}${offset}`),
  fc.constantFrom('9999-12-31T23:00:00-02:00', '9999-12-31T23:59:59.9999999Z', '0000-01-01T00:00:00Z', '1900-01-01T00:30:00+01:00', '2024-02-30T00:00:00Z', '+275760-09-13T00:00:00Z'),
  fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
);

const ID_POOL = Array.from({ length: 64 }, (_, index) => `f0000000-0000-4000-8000-${String(index).padStart(12, '0')}`);
const eventId = fc.oneof(fc.uuid({ version: 4 }), fc.constantFrom(...ID_POOL));

/** Every string leaf of an event, as a path. */
function stringPaths(value: unknown, path: string[] = []): string[][] {
  if (typeof value === 'string') return [path];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => stringPaths(child, [...path, key]));
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]] = value;
}

const examples = exampleEvents();

const hostileEvent = fc
  .record({
    example: fc.nat(examples.length - 1),
    id: eventId,
    customerId: fc.option(customerId, { freq: 2, nil: undefined }),
    occurredAt: fc.option(dateTime, { freq: 2, nil: undefined }),
    strings: fc.array(fc.tuple(fc.nat(), evilString), { maxLength: 2 }),
  })
  .map(({ example, id, customerId, occurredAt, strings }) => {
    const event = structuredClone(examples[example]) as unknown as Record<string, unknown>;
    event.id = id;
    if (customerId !== undefined) event.customerId = customerId;
    if (occurredAt !== undefined) event.occurredAt = occurredAt;
    const paths = stringPaths(event).filter((path) => path[0] !== 'type' && path[0] !== 'id');
    for (const [pick, value] of strings) {
      const path = paths[pick % paths.length];
      if (path) setPath(event, path, value);
    }
    return event;
  });

export interface FuzzRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly role: 'emitter' | 'support';
  readonly body?: string;
}

const enc = (value: string) => {
  try {
    return encodeURIComponent(value);
  } catch {
    // A lone surrogate cannot be percent-encoded as UTF-8; send it raw-ish instead.
    return value.replace(/[\ud800-\udfff]/g, '%ED%A0%80');
  }
};
const cursorOf = fc.oneof(
  fc.tuple(dateTime, fc.integer(), fc.constantFrom('newest', 'oldest')).map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url')),
  fc.tuple(fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/), fc.integer()).map(([at, p]) => Buffer.from(JSON.stringify([at, p, 'newest'])).toString('base64url')),
  evilString.map((value) => Buffer.from(value).toString('base64url')),
);

const read = fc.oneof(
  fc.tuple(customerId, fc.constantFrom('', '/timeline')).map(([id, tail]) => `/v1/customers/${enc(id)}${tail}`),
  fc.tuple(fc.constantFrom('%00', '%ff', '%ED%A0%80', 'a%00b', '%C0%80'), fc.constantFrom('', '/timeline')).map(([id, tail]) => `/v1/customers/${id}${tail}`),
  evilString.map((q) => `/v1/customers?q=${enc(q)}`),
  fc.constantFrom('from', 'to').chain((key) => dateTime.map((value) => `/v1/customers/fuzz-1/timeline?${key}=${enc(value)}`)),
  cursorOf.map((cursor) => `/v1/customers/fuzz-1/timeline?cursor=${cursor}`),
  evilString.map((channel) => `/v1/customers/fuzz-1/timeline?channels=${enc(channel)}`),
);

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  { weight: 5, arbitrary: hostileEvent.map((event) => ({ method: 'POST' as const, path: '/v1/events', role: 'emitter' as const, body: JSON.stringify(event) })) },
  {
    weight: 2,
    arbitrary: fc
      .uniqueArray(hostileEvent, { minLength: 1, maxLength: 5, selector: (event) => String(event.id).toLowerCase() })
      .map((events) => ({ method: 'POST' as const, path: '/v1/events/batch', role: 'emitter' as const, body: JSON.stringify({ events }) })),
  },
  { weight: 3, arbitrary: read.map((path) => ({ method: 'GET' as const, path, role: 'support' as const })) },
);

export interface FuzzTarget {
  readonly url: string;
  readonly keys: Readonly<Record<'emitter' | 'support' | 'admin', string>>;
}

const SLICE = 2000;

export interface FuzzReport {
  readonly seed: number;
  readonly statuses: ReadonlyMap<number, number>;
  /** 5xx answers and error answers that are not problem+json, described. */
  readonly failures: readonly string[];
}

/** Sends `count` generated requests, `concurrency` at a time; never throws for a bad answer, it counts it. */
export async function runIngestFuzz(target: FuzzTarget, count: number, options: { seed: number; concurrency?: number; onProgress?: (done: number) => void }): Promise<FuzzReport> {
  const statuses = new Map<number, number>();
  const failures: string[] = [];
  let done = 0;
  async function send(index: number, request: FuzzRequest): Promise<void> {
    const headers: Record<string, string> = { authorization: `Bearer ${target.keys[request.role]}` };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${target.url}${request.path}`, { method: request.method, headers, body: request.body });
    const text = await response.text();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    const isProblem = response.headers.get('content-type')?.startsWith('application/problem+json') ?? false;
    if (response.status >= 500 || (response.status >= 400 && !isProblem)) {
      failures.push(`#${index} ${request.method} ${request.path.slice(0, 200)}: ${response.status} ${text.slice(0, 300)} ${request.body?.slice(0, 300) ?? ''}`);
    }
    if (++done % 1000 === 0) options.onProgress?.(done);
  }
  // Generated a slice at a time, so 100,000 requests never sit in memory at once.
  for (let start = 0; start < count; start += SLICE) {
    const slice = fc.sample(fuzzRequest, { numRuns: Math.min(SLICE, count - start), seed: options.seed + start });
    let next = 0;
    const worker = async () => {
      while (next < slice.length) {
        const index = next++;
        await send(start + index, slice[index]!);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  }
  return { seed: options.seed, statuses, failures };
}

interface ProjectionState {
  name: string;
  caughtUp: boolean;
  lagEvents: number | null;
  parked: number;
}

/** Waits until every projection has caught up with the store, then reports each one's parked count. */
export async function parkedAfterCatchUp(target: FuzzTarget, timeoutMs = 120_000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${target.url}/v1/admin/projections`, { headers: { authorization: `Bearer ${target.keys.admin}` } });
    const { projections } = (await response.json()) as { projections: ProjectionState[] };
    if (projections.length > 0 && projections.every((projection) => projection.caughtUp && projection.lagEvents === 0)) {
      return Object.fromEntries(projections.map((projection) => [projection.name, projection.parked]));
    }
    if (Date.now() > deadline) throw new Error(`projections did not catch up: ${JSON.stringify(projections)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
