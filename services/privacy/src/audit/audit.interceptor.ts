import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { AuthenticatedRequest } from '@rapport/platform/nest';
import { from, mergeMap, type Observable } from 'rxjs';
import { PRIVACY, type Privacy } from '../privacy';
import type { AccessRecord } from './access-audit';

/** Routes that hand out one customer's data: the profile, the timeline (pages, entries, live stream), consents, loyalty, segment, export. */
const CUSTOMER_ROUTE = /^\/v1\/customers\/:customerId(\/|$)/;

type AuditedRequest = AuthenticatedRequest & {
  readonly url: string;
  readonly ip?: string;
  readonly params?: Record<string, string | undefined>;
  readonly routeOptions?: { readonly url?: string };
};

/** Which access a request is, if it reads a customer's data; pure so that it is tested without HTTP. */
export function accessOf(request: AuditedRequest): AccessRecord | undefined {
  const route = request.routeOptions?.url;
  const customerId = request.params?.customerId;
  const principal = request.principal;
  if (request.method !== 'GET' || !route || !CUSTOMER_ROUTE.test(route) || !customerId || !principal) return undefined;
  const userAgent = request.headers['user-agent'];
  return {
    customerId,
    route,
    method: request.method,
    path: request.url.split('?')[0]!.slice(0, 1000),
    actorId: principal.keyId,
    actorName: principal.name,
    role: principal.role,
    via: request.staffSession ? 'session' : 'key',
    ip: request.ip ?? null,
    userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 500) : null,
  };
}

/**
 * Records every authorised read of a customer's data before it is served: an access that
 * cannot be recorded is not served.
 */
@Injectable()
export class AccessAuditInterceptor implements NestInterceptor {
  constructor(@Inject(PRIVACY) private readonly privacy: Privacy) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const access = accessOf(context.switchToHttp().getRequest<AuditedRequest>());
    if (!access) return next.handle();
    return from(this.privacy.audit.record(access)).pipe(mergeMap(() => next.handle()));
  }
}
