import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { metrics } from '../metrics';
import { PROBLEM_CONTENT_TYPE, problemType } from '../problem';
import { Public } from './decorators';

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency is usable; rejects (with a reason) when not. */
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('ReadinessChecks');
export const SERVICE_NAME = Symbol('ServiceName');

const CHECK_TIMEOUT_MS = 3_000;

/** Liveness, readiness and Prometheus scraping; unauthenticated so probes need no key. */
@Public()
@ApiExcludeController()
@Controller()
export class OperationsController {
  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: readonly ReadinessCheck[],
    @Inject(SERVICE_NAME) private readonly serviceName: string,
  ) {}

  @Get('health/live')
  live(): { status: 'live'; service: string } {
    return { status: 'live', service: this.serviceName };
  }

  @Get('health/ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const results = await Promise.all(this.checks.map(async ({ name, check }) => ({ name, error: await failureOf(check) })));
    const failing = results.filter((result) => result.error !== undefined);
    if (failing.length === 0) {
      reply.status(200).send({ status: 'ready', service: this.serviceName, checks: results.map(({ name }) => ({ name, status: 'up' })) });
      return;
    }
    reply
      .status(503)
      .header('content-type', PROBLEM_CONTENT_TYPE)
      .send(
        JSON.stringify({
          type: problemType('not-ready'),
          title: 'Service not ready',
          status: 503,
          detail: `Failing checks: ${failing.map(({ name }) => name).join(', ')}`,
          instance: '/health/ready',
          checks: results.map(({ name, error }) => (error === undefined ? { name, status: 'up' } : { name, status: 'down', error })),
        }),
      );
  }

  @Get('metrics')
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, body } = await metrics.render();
    reply.status(200).header('content-type', contentType).send(body);
  }
}

async function failureOf(check: () => Promise<void>): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}
