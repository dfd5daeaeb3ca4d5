import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface HttpResponse {
  readonly status: number;
  /** Parsed JSON when the body is JSON, else the raw text. */
  readonly body: unknown;
}

/** A server that could not be reached at all (as opposed to one that answered with an error). */
export class UnreachableError extends Error {
  readonly code = 'UNREACHABLE';

  constructor(url: string, cause: Error) {
    super(`cannot reach ${url}: ${cause.message}. Is \`rapport up\` running? Pass --url otherwise.`);
    this.name = 'UnreachableError';
  }
}

/**
 * A minimal JSON client over node:http with keep-alive sockets: cheap per request, so that
 * imports and benchmarks measure the server rather than the client.
 */
export class JsonClient {
  private readonly base: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(
    baseUrl: string,
    private readonly apiKey: string | undefined,
    options: { maxSockets?: number } = {},
  ) {
    this.base = new URL(baseUrl);
    const secure = this.base.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 8 };
    this.agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = secure ? httpsRequest : httpRequest;
  }

  /** POSTs a body that is already JSON text, so callers can serialise once and send many times. */
  postJson(path: string, json: string | Buffer): Promise<HttpResponse> {
    return this.request('POST', path, json);
  }

  get(path: string): Promise<HttpResponse> {
    return this.request('GET', path);
  }

  close(): void {
    this.agent.destroy();
  }

  private request(method: string, path: string, body?: string | Buffer): Promise<HttpResponse> {
    const url = new URL(path, this.base);
    const headers: Record<string, string | number> = { accept: 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    return new Promise((resolve, reject) => {
      const req = this.send(url, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const isJson = /json/.test(String(res.headers['content-type'] ?? ''));
          let parsed: unknown = text;
          if (isJson && text) {
            try {
              parsed = JSON.parse(text);
            } catch {
              parsed = text;
            }
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        reject(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH'].includes(error.code ?? '') ? new UnreachableError(this.base.origin, error) : error),
      );
      req.end(body);
    });
  }
}
