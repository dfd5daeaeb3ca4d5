import type { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '@rapport/contracts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../auth/api-keys';
import { MalformedJsonError, ValidationError, type FieldError } from '../errors';
import type { Logger } from '../logger';
import { httpMetrics } from '../metrics';
import { PinoNestLogger } from './nest-logger';
import { FieldErrorDto, ProblemDto } from './openapi';
import { PROBLEM_CONTENT_TYPE, problemFromError } from '../problem';
import { ProblemFilter } from './problem.filter';

export interface HttpAppOptions {
  readonly logger: Logger;
  /** Larger bodies get 413 before they are parsed. */
  readonly bodyLimitBytes?: number;
  /** Serves Swagger UI at /docs and the OpenAPI document at /docs/json. */
  readonly docs?: { readonly title: string; readonly version: string; readonly description?: string };
  /** Close the app on SIGTERM/SIGINT (default). Turn off when the caller owns the signals. */
  readonly shutdownHooks?: boolean;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
/** Fastify's default of 100 is below a 128-character id; 512 leaves room for percent-encoding it. */
export const MAX_PATH_PARAM_LENGTH = 512;

/** A Nest app on Fastify that only accepts JSON, answers errors as problems, logs and measures every request. */
export async function createHttpApp(rootModule: Type<unknown> | DynamicModule, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const bodyLimit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const adapter = new FastifyAdapter({
    bodyLimit,
    logger: false,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors: answerRouterError,
  });
  const fastify = adapter.getInstance() as unknown as FastifyInstance;
  acceptJsonOnly(fastify);
  rejectUnstorableUrlText(fastify);
  observeRequests(fastify, options.logger);

  // bodyParser: false keeps Nest from adding a urlencoded parser; abortOnError: false lets callers see boot errors.
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    logger: new PinoNestLogger(options.logger),
    bodyParser: false,
    abortOnError: false,
  });
  app.useGlobalFilters(new ProblemFilter(options.logger, bodyLimit));
  if (options.shutdownHooks !== false) app.enableShutdownHooks();

  if (options.docs) {
    const config = new DocumentBuilder()
      .setTitle(options.docs.title)
      .setVersion(options.docs.version)
      .setDescription(options.docs.description ?? '')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key, e.g. rpk_emitter_…' })
      .build();
    const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDto, FieldErrorDto] });
    SwaggerModule.setup('docs', app, document, {
      jsonDocumentUrl: 'docs/json',
      yamlDocumentUrl: 'docs/yaml',
      ui: canServeStaticFiles(options.logger),
    });
  }
  return app;
}

/**
 * Swagger UI's files are served by @fastify/static; if it cannot load, Nest would exit the
 * process, so serve the OpenAPI document alone and say why.
 */
function canServeStaticFiles(logger: Logger): boolean {
  try {
    require('@fastify/static');
    return true;
  } catch (error) {
    logger.warn({ err: error }, 'Swagger UI disabled: @fastify/static could not be loaded; /docs/json is still served');
    return false;
  }
}

/** Fastify also parses text/plain by default; anything but JSON must be a 415. */
function acceptJsonOnly(fastify: FastifyInstance): void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    if (body.length === 0) {
      done(new MalformedJsonError('The request body is empty; a JSON document was expected.'), undefined);
      return;
    }
    parseJson(request, body, (error, value) => (error ? done(new MalformedJsonError(), undefined) : done(null, value)));
  });
}

/** Errors the router raises before any route or filter runs (bad percent-encoding, over-long parameters). */
function answerRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const { problem } = problemFromError(error, request.url.split('?')[0]);
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/**
 * Path parameters and query values reach PostgreSQL as text, which cannot hold NUL: every route
 * gets a 400 naming the parameter instead of a 500 from the database.
 */
function rejectUnstorableUrlText(fastify: FastifyInstance): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    const errors: FieldError[] = [];
    const check = (values: unknown) => {
      if (typeof values !== 'object' || values === null) return;
      for (const [key, value] of Object.entries(values)) {
        if (!isStorableText(key)) errors.push({ path: '', message: `a parameter name ${UNSTORABLE_TEXT_MESSAGE}` });
        else if ([value].flat().some((item) => typeof item === 'string' && !isStorableText(item))) {
          errors.push({ path: key.slice(0, 100), message: UNSTORABLE_TEXT_MESSAGE });
        }
      }
    };
    check(request.params);
    check(request.query);
    done(errors.length > 0 ? new ValidationError(errors) : undefined);
  });
}

function observeRequests(fastify: FastifyInstance, logger: Logger): void {
  const requests = httpMetrics.requests();
  const duration = httpMetrics.duration();
  fastify.addHook('onResponse', (request, reply, done) => {
    const ms = reply.elapsedTime;
    // The route pattern, not the URL, keeps label cardinality bounded.
    const labels = { route: request.routeOptions.url ?? 'unmatched', method: request.method, status: String(reply.statusCode) };
    requests.inc(labels);
    duration.observe(labels, ms / 1000);
    const principal = (request as { principal?: Principal }).principal;
    logger.info(
      { method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(ms * 10) / 10, key: principal?.name },
      'request',
    );
    done();
  });
}
