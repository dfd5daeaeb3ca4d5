import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logger';
import { PROBLEM_CONTENT_TYPE, problemFromError, problemFromStatus, type MappedProblem } from '../problem';

/**
 * The one exception filter: every error leaves as application/problem+json. Fastify's own
 * errors (body too large, unsupported media type) reach us as HttpExceptions carrying their
 * status, because Nest's error hook wraps them.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly bodyLimitBytes?: number,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest | undefined>();
    const reply = http.getResponse<FastifyReply>();
    const instance = request?.url?.split('?')[0];
    const { problem, unexpected } = this.map(exception, request, instance);

    if (unexpected) this.logger.error({ err: exception, method: request?.method, url: request?.url }, 'unhandled error');
    if (reply.sent) return;
    if (problem.status === 401) reply.header('www-authenticate', 'Bearer');
    reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }

  private map(exception: unknown, request: FastifyRequest | undefined, instance: string | undefined): MappedProblem {
    if (!(exception instanceof HttpException)) return problemFromError(exception, instance);
    const status = exception.getStatus();
    return problemFromStatus(status, this.detailFor(status, exception, request), instance);
  }

  /** Fastify's own messages ("Unsupported Media Type") do not tell the client what to change. */
  private detailFor(status: number, exception: HttpException, request: FastifyRequest | undefined): string {
    if (status === 415) {
      const contentType = request?.headers['content-type'];
      return `Only application/json request bodies are accepted; got ${contentType ? `"${contentType.slice(0, 100)}"` : 'no Content-Type'}.`;
    }
    if (status === 413 && this.bodyLimitBytes !== undefined) {
      return `The request body exceeds the limit of ${this.bodyLimitBytes} bytes.`;
    }
    const response = exception.getResponse();
    const message = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
  }
}
