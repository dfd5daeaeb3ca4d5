import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from '@rapport/platform';
import type { FastifyInstance, FastifyReply } from 'fastify';

export const CONSOLE_PATH = '/console';

/** The console's Vite build, `services/console/dist`. */
export function consoleDistDir(): string {
  return join(dirname(require.resolve('@rapport/console/package.json')), 'dist');
}

const SECURITY_HEADERS = { 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' };

/**
 * Serves the console's static files under /console/ and answers every other /console/… path
 * with index.html, so client routes (/console/customers/17850) survive a reload. Only paths
 * under /console are touched: /v1 stays the API's.
 */
export async function serveConsole(app: NestFastifyApplication, logger: Logger, distDir = consoleDistDir()): Promise<boolean> {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const indexFile = join(distDir, 'index.html');
  const built = existsSync(indexFile);
  if (!built) {
    logger.warn({ distDir }, 'the console is not built; /console answers 503 until `npm run build -w @rapport/console` has run');
    const notBuilt = (_request: unknown, reply: FastifyReply) =>
      reply.status(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build -w @rapport/console` and restart.\n');
    fastify.get(CONSOLE_PATH, notBuilt);
    fastify.get(`${CONSOLE_PATH}/*`, notBuilt);
    return false;
  }
  const { default: fastifyStatic } = await import('@fastify/static');
  const sendIndex = async (_request: unknown, reply: FastifyReply) =>
    reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' }).type('text/html; charset=utf-8').send(await readFile(indexFile));
  await app.register(async (scope: FastifyInstance) => {
    // Swagger UI registers @fastify/static too: this one must not decorate the reply again.
    await scope.register(fastifyStatic, {
      root: join(distDir, 'assets'),
      prefix: `${CONSOLE_PATH}/assets/`,
      decorateReply: false,
      wildcard: true,
      index: false,
      // Vite puts a content hash in every asset name, so they never change under one URL.
      maxAge: '365d',
      immutable: true,
      setHeaders: (reply: FastifyReply) => void reply.header('x-content-type-options', 'nosniff'),
    } as never);
  });
  fastify.get(CONSOLE_PATH, (_request, reply) => reply.redirect(`${CONSOLE_PATH}/`, 302));
  fastify.get(`${CONSOLE_PATH}/`, sendIndex);
  fastify.get(`${CONSOLE_PATH}/*`, async (request, reply) => {
    if (request.url.startsWith(`${CONSOLE_PATH}/assets/`)) return reply.status(404).type('text/plain').send('Not found\n');
    return sendIndex(request, reply);
  });
  return true;
}
