import { Body, Controller, Get, HttpCode, Module, Param, Post, Query } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@rapport/testing';
import { ApiKeyStore, type Principal } from '../auth/api-keys';
import { IllegalStateError } from '../errors';
import { createLogger } from '../logger';
import { problemType } from '../problem';
import { CurrentPrincipal, Public, Roles } from './decorators';
import { createHttpApp } from './http-app';
import { PlatformModule } from './platform.module';

@Controller('things')
class ThingsController {
  @Get()
  @Roles('analyst')
  list(@CurrentPrincipal() principal: Principal) {
    return { things: [], caller: principal.name };
  }

  @Post()
  @HttpCode(201)
  @Roles('emitter')
  create(@Body() body: unknown) {
    return { received: body };
  }

  @Post('closed')
  @Roles('emitter')
  closed(): never {
    throw new IllegalStateError('the thing is closed');
  }

  @Get('admin-only')
  adminOnly() {
    return { ok: true };
  }

  @Get('named/:name')
  @Public()
  named(@Param('name') name: string, @Query() query: unknown) {
    return { name, query };
  }

  @Get('broken')
  @Public()
  broken(): never {
    throw new Error('secret internals: connection string postgres://x');
  }
}

describe('createHttpApp + PlatformModule over HTTP', () => {
  let database: TestDatabase;
  let pool: Pool;
  let app: NestFastifyApplication;
  let base: string;
  const logLines: Record<string, unknown>[] = [];
  const keys: Record<'emitter' | 'analyst' | 'admin', string> = { emitter: '', analyst: '', admin: '' };
  let dependencyUp = true;

  beforeAll(async () => {
    database = await createTestDatabase('platform_http');
    pool = new Pool({ connectionString: database.url, max: 2 });
    const apiKeys = new ApiKeyStore(pool);
    await apiKeys.migrate();
    for (const role of ['emitter', 'analyst', 'admin'] as const) keys[role] = (await apiKeys.create({ role, name: `${role}-key` })).key;

    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        done();
      },
    });
    @Module({
      imports: [
        PlatformModule.forRoot({
          apiKeys,
          serviceName: 'things',
          readiness: [
            { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
            { name: 'upstream', check: async () => { if (!dependencyUp) throw new Error('connection refused'); } },
          ],
        }),
      ],
      controllers: [ThingsController],
    })
    class ThingsModule {}

    app = await createHttpApp(ThingsModule, {
      logger: createLogger({ level: 'debug', serviceName: 'things' }, sink),
      bodyLimitBytes: 1024,
      docs: { title: 'Things', version: '1.0.0' },
    });
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await database?.drop();
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: { authorization: `Bearer ${keys.emitter}`, 'content-type': 'application/json', ...headers } });

  // Response bodies are checked field by field; `any` keeps those assertions readable.
  const json = async (response: Response): Promise<any> => response.json();

  async function expectProblem(response: Response, status: number, slug: string) {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const problem = await json(response);
    expect(problem).toMatchObject({ type: problemType(slug), status });
    expect(typeof problem.title).toBe('string');
    return problem;
  }

  it('lets an allowed role through and exposes the caller', async () => {
    const response = await fetch(`${base}/things`, { headers: { authorization: `Bearer ${keys.analyst}` } });
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ things: [], caller: 'analyst-key' });
  });

  it('parses JSON bodies', async () => {
    const response = await post('/things', '{"a":[1,2]}', { 'content-type': 'application/json; charset=utf-8' });
    expect(response.status).toBe(201);
    expect(await json(response)).toEqual({ received: { a: [1, 2] } });
  });

  it('answers 401 without a key, with a malformed header and with an unknown key', async () => {
    const none = await fetch(`${base}/things`);
    const problem = await expectProblem(none, 401, 'unauthorized');
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect(problem.instance).toBe('/things');
    await expectProblem(await fetch(`${base}/things`, { headers: { authorization: keys.analyst } }), 401, 'unauthorized');
    const unknown = await fetch(`${base}/things`, { headers: { authorization: 'Bearer rpk_analyst_0000000000000000000000000000000000000000' } });
    expect((await expectProblem(unknown, 401, 'unauthorized')).detail).toContain('unknown or has been revoked');
  });

  it('answers 403 when the role is not allowed; admin is always allowed', async () => {
    const problem = await expectProblem(await post('/things', '{}', { authorization: `Bearer ${keys.analyst}` }), 403, 'forbidden');
    expect(problem.detail).toContain('"analyst"');
    await expectProblem(await fetch(`${base}/things/admin-only`, { headers: { authorization: `Bearer ${keys.emitter}` } }), 403, 'forbidden');
    expect((await fetch(`${base}/things/admin-only`, { headers: { authorization: `Bearer ${keys.admin}` } })).status).toBe(200);
    expect((await post('/things', '{}', { authorization: `Bearer ${keys.admin}` })).status).toBe(201);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml'])(
    'answers 415 for %s',
    async (contentType) => {
      await expectProblem(await post('/things', 'a=1', { 'content-type': contentType }), 415, 'unsupported-media-type');
    },
  );

  it('answers 413 for a body over the limit', async () => {
    await expectProblem(await post('/things', JSON.stringify({ padding: 'x'.repeat(2000) })), 413, 'payload-too-large');
  });

  it('answers 400 for malformed and empty JSON', async () => {
    const problem = await expectProblem(await post('/things', '{"a":'), 400, 'malformed-json');
    expect(problem.detail).toBe('The request body is not valid JSON.');
    expect((await expectProblem(await post('/things', ''), 400, 'malformed-json')).detail).toContain('empty');
    await expectProblem(await post('/things', '{"__proto__":{"admin":true}}'), 400, 'malformed-json');
  });

  it('maps coded errors from handlers', async () => {
    const problem = await expectProblem(await post('/things/closed', '{}'), 409, 'illegal-state');
    expect(problem.detail).toBe('the thing is closed');
  });

  it('answers unknown routes with a 404 problem', async () => {
    await expectProblem(await fetch(`${base}/nowhere`), 404, 'not-found');
  });

  it('answers a URL the router cannot decode with a problem, not Fastify\'s own JSON', async () => {
    const problem = await expectProblem(await fetch(`${base}/things/named/a%ffb`), 400, 'bad-url');
    expect(problem.detail).toContain('not a valid url component');
  });

  it('takes path parameters up to 512 characters (a 128-character id, percent-encoded) and answers longer ones 414 as a problem', async () => {
    const id = 'c'.repeat(128);
    const response = await fetch(`${base}/things/named/${id}`);
    expect(response.status).toBe(200);
    expect(await json(response)).toEqual({ name: id, query: {} });
    expect((await fetch(`${base}/things/named/${'%3A'.repeat(170)}`)).status).toBe(200);
    await expectProblem(await fetch(`${base}/things/named/${'c'.repeat(513)}`), 414, 'uri-too-long');
  });

  it.each([
    ['a NUL in a path parameter', '/things/named/a%00b', 'name'],
    ['a NUL in a query value', '/things/named/a?q=a%00b', 'q'],
    ['a NUL in a repeated query value', '/things/named/a?q=ok&q=%00', 'q'],
    ['a NUL in a query key', '/things/named/a?a%00b=1', ''],
  ])('answers %s with a 400 naming it, before any handler or database sees it', async (_case, path, field) => {
    const problem = await expectProblem(await fetch(`${base}${path}`), 400, 'validation');
    expect(problem.errors).toEqual([{ path: field, message: expect.stringContaining('NUL') }]);
  });

  it('keeps ordinary Unicode in parameters', async () => {
    const response = await fetch(`${base}/things/named/J%C3%BCrgen%F0%9F%98%80?q=%C3%A9t%C3%A9`);
    expect(await json(response)).toEqual({ name: 'Jürgen😀', query: { q: 'été' } });
  });

  it('turns an unexpected error into an opaque 500 and logs it', async () => {
    const problem = await expectProblem(await fetch(`${base}/things/broken`), 500, 'internal');
    expect(JSON.stringify(problem)).not.toContain('secret internals');
    const logged = logLines.find((line) => line.level === 'error' && line.msg === 'unhandled error');
    expect(logged).toMatchObject({ service: 'things', url: '/things/broken' });
    expect(JSON.stringify(logged)).toContain('secret internals');
  });

  it('serves liveness and readiness, listing failing checks', async () => {
    expect(await json(await fetch(`${base}/health/live`))).toEqual({ status: 'live', service: 'things' });
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await json(ready)).checks).toEqual([{ name: 'postgres', status: 'up' }, { name: 'upstream', status: 'up' }]);

    dependencyUp = false;
    const notReady = await expectProblem(await fetch(`${base}/health/ready`), 503, 'not-ready');
    dependencyUp = true;
    expect(notReady.detail).toBe('Failing checks: upstream');
    expect(notReady.checks).toEqual([{ name: 'postgres', status: 'up' }, { name: 'upstream', status: 'down', error: 'connection refused' }]);
  });

  it('exposes Prometheus metrics with per-route request counts', async () => {
    await fetch(`${base}/things`, { headers: { authorization: `Bearer ${keys.analyst}` } });
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/http_requests_total\{route="\/things",method="GET",status="200"\} [1-9]/);
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0.005",route="\/things",method="GET",status="200"\}/);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('logs one JSON line per request with the key name, never the key', async () => {
    await fetch(`${base}/things?page=2`, { headers: { authorization: `Bearer ${keys.analyst}` } });
    const line = logLines.find((entry) => entry.msg === 'request' && entry.url === '/things?page=2');
    expect(line).toMatchObject({ level: 'info', service: 'things', method: 'GET', status: 200, key: 'analyst-key' });
    expect(typeof line?.ms).toBe('number');
    const everything = JSON.stringify(logLines);
    for (const key of Object.values(keys)) expect(everything).not.toContain(key);
  });

  it('routes Nest bootstrap logs through pino, at debug so that a start is not a wall of route lines', () => {
    const routeLines = logLines.filter((line) => line.context === 'RoutesResolver');
    expect(routeLines.length).toBeGreaterThan(0);
    expect(routeLines.every((line) => line.level === 'debug')).toBe(true);
  });

  it('documents the API with bearer auth at /docs/json', async () => {
    const document = await json(await fetch(`${base}/docs/json`));
    expect(document.info).toMatchObject({ title: 'Things', version: '1.0.0' });
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.components.schemas.ProblemDto.properties).toHaveProperty('type');
    expect(document.paths['/things'].post.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/health/live']).toBeUndefined();
  });

  it('serves Swagger UI at /docs', async () => {
    const ui = await fetch(`${base}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });
});
