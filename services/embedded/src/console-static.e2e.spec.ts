import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createLogger } from '@rapport/platform';
import { createHttpApp, Public } from '@rapport/platform/nest';
import { serveConsole } from './console-static';

@Controller('v1/console-check')
class ApiController {
  @Get()
  @Public()
  answer() {
    return { api: true };
  }
}

@Module({ controllers: [ApiController] })
class ApiModule {}

describe('the console served by the embedded app', () => {
  let dir: string;
  const apps: NestFastifyApplication[] = [];
  const logger = createLogger({ level: 'silent', serviceName: 'console-static' });

  async function start(distDir: string): Promise<string> {
    const app = await createHttpApp(ApiModule, { logger, shutdownHooks: false, docs: { title: 't', version: '1' } });
    apps.push(app);
    await serveConsole(app, logger, distDir);
    await app.listen(0, '127.0.0.1');
    const address = app.getHttpServer().address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rapport-console-dist-'));
    await mkdir(join(dir, 'dist/assets'), { recursive: true });
    await writeFile(join(dir, 'dist/index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(dir, 'dist/assets/index-abc123.js'), 'console.log(1)');
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html for the app and its client routes, hashed assets with a long cache, and leaves /v1 and /docs alone', async () => {
    const base = await start(join(dir, 'dist'));
    const bare = await fetch(`${base}/console`, { redirect: 'manual' });
    expect(bare.status).toBe(302);
    expect(bare.headers.get('location')).toBe('/console/');
    for (const path of ['/console/', '/console/customers/17850', '/console/customers/a%2Fb']) {
      const page = await fetch(`${base}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('x-frame-options')).toBe('DENY');
      expect(await page.text()).toBe('<!doctype html><title>console</title>');
    }
    const asset = await fetch(`${base}/console/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toBe('console.log(1)');
    expect((await fetch(`${base}/console/assets/missing.js`)).status).toBe(404);
    expect((await fetch(`${base}/console/assets/..%2f..%2findex.html`)).status).toBe(404);

    const api = await fetch(`${base}/v1/console-check`);
    expect(await api.json()).toEqual({ api: true });
    expect((await fetch(`${base}/docs/json`)).status).toBe(200);
    // Swagger UI serves its own static files beside ours.
    expect((await fetch(`${base}/docs`)).status).toBe(200);
  });

  it('answers 503 with how to build it when the console is not built', async () => {
    const base = await start(join(dir, 'nothing-here'));
    const page = await fetch(`${base}/console/customers/1`);
    expect(page.status).toBe(503);
    expect(await page.text()).toContain('npm run build -w @rapport/console');
    expect((await fetch(`${base}/v1/console-check`)).status).toBe(200);
  });
});
