import type { paths } from './schema';

/** An RFC 9457 problem answered by the platform. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status: number;
  readonly detail?: string;
  readonly errors?: readonly { path: string; message: string }[];
  readonly [extension: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = 'ApiError';
  }

  get status(): number {
    return this.problem.status;
  }
}

/** Paths the platform's OpenAPI document declares; a typo in a route is a type error. */
export type ApiPath = keyof paths;

let csrfToken: string | undefined;

/** The session's CSRF token, sent on every state-changing call. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** One call to the platform: same-origin, the session cookie goes along; problems become ApiErrors. */
export async function api<T>(
  path: string,
  init: { method?: 'GET' | 'POST' | 'DELETE'; body?: unknown; signal?: AbortSignal; headers?: Record<string, string> } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  const body: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const problem = typeof body === 'object' && body !== null ? (body as Problem) : { status: response.status, title: response.statusText };
    throw new ApiError({ ...problem, status: response.status });
  }
  return body as T;
}

/** A fresh idempotency key: one per intended action, so a retry after a lost answer is not applied twice. */
export const newIdempotencyKey = () =>
  typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

/** A non-JSON answer (e.g. a CSV export) as a Blob; problems become ApiErrors as in `api`. */
export async function apiBlob(path: string, accept: string, signal?: AbortSignal): Promise<Blob> {
  const response = await fetch(path, { headers: { accept }, credentials: 'same-origin', signal });
  if (!response.ok) {
    const text = await response.text();
    const body = text ? safeJson(text) : undefined;
    const problem = typeof body === 'object' && body !== null ? (body as Problem) : { status: response.status, title: response.statusText };
    throw new ApiError({ ...problem, status: response.status });
  }
  return response.blob();
}

/** Builds a path from an OpenAPI template: `pathOf('/v1/customers/{customerId}', { customerId })`. */
export function pathOf(template: ApiPath, params: Record<string, string>, query: Record<string, string | number | undefined> = {}): string {
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(key, String(value));
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}
