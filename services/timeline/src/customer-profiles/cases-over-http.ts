import type { Sql } from '@rapport/projections';
import type { CustomerCasesReader, CustomerCases } from '../timeline';

/** What a caller sent to prove who they are; forwarded as it came, so the cases service checks the same role. */
export interface CallerCredentials {
  readonly authorization?: string;
  readonly cookie?: string;
}

export interface CasesOverHttpOptions {
  /** Base URL of the cases service, e.g. http://cases-api:3005. */
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  readonly log?: { warn(details: object, message: string): void };
}

/**
 * The scaled timeline's reader of a customer's open complaints and pending callbacks: it asks
 * the cases service (`GET /v1/cases/by-customer/{id}?merged=…`) with the caller's own credentials. When
 * that service does not answer in time, or answers other than 200, it gives `undefined` and
 * the profile shows its own rows and says so (`casesSource: 'timeline'`).
 */
export function casesOverHttp(options: CasesOverHttpOptions): CustomerCasesReader {
  const base = options.baseUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 2_000;
  return async (_db: Sql, [customerId, ...merged]: readonly string[], caller: CallerCredentials): Promise<CustomerCases | undefined> => {
    const query = merged.length ? `?merged=${merged.map(encodeURIComponent).join(',')}` : '';
    const url = `${base}/v1/cases/by-customer/${encodeURIComponent(customerId!)}${query}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (caller.authorization) headers.authorization = caller.authorization;
    if (caller.cookie) headers.cookie = caller.cookie;
    try {
      const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
      if (response.status !== 200) {
        options.log?.warn({ url, status: response.status }, 'the cases service refused the profile its cases; showing the timeline rows');
        return undefined;
      }
      return (await response.json()) as CustomerCases;
    } catch (error) {
      options.log?.warn({ url, err: error }, 'the cases service did not answer; showing the timeline rows');
      return undefined;
    }
  };
}
