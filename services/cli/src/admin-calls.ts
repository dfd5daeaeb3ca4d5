import type { Command } from 'commander';
import { JsonClient, type HttpResponse } from './http-client';
import { resolveTarget } from './local-platform';

/** Options of every command that calls the running platform's admin APIs. */
export interface TargetOptions {
  url?: string;
  key?: string;
  json?: boolean;
}

export const withTarget = (command: Command) =>
  command
    .option('--url <url>', 'platform URL (default: the running `rapport up`, else http://127.0.0.1:3000)')
    .option('--key <key>', 'admin API key (default: RAPPORT_API_KEY, else the dev admin key)')
    .option('--json', 'print the API response as JSON');

/** One admin call; a non-2xx answer becomes an error naming the route, the status and the problem's detail. */
export async function callAdmin<T>(options: TargetOptions, method: 'GET' | 'POST', path: string, body = '{}'): Promise<T> {
  const target = await resolveTarget(options, 'admin');
  const client = new JsonClient(target.url, target.key, { maxSockets: 1 });
  let response: HttpResponse;
  try {
    response = method === 'GET' ? await client.get(path) : await client.postJson(path, body);
  } finally {
    client.close();
  }
  if (response.status >= 200 && response.status < 300) return response.body as T;
  const problem = (typeof response.body === 'object' && response.body !== null ? response.body : {}) as { title?: string; detail?: string };
  throw new Error(`${method} ${path}: ${response.status} ${problem.detail ?? problem.title ?? String(response.body)}`);
}
