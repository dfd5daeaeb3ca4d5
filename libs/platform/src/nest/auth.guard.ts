import { Inject, Injectable, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyStore, Principal, Role } from '../auth/api-keys';
import { csrfTokenMatches, type StaffSession, type StaffStore } from '../auth/staff';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { PUBLIC_METADATA, ROLES_METADATA } from './decorators';
import { CSRF_HEADER, SESSION_COOKIE, readCookie } from './session-cookie';

export const API_KEY_STORE = Symbol('ApiKeyStore');
export const STAFF_STORE = Symbol('StaffStore');

const BEARER = /^Bearer +(\S+) *$/i;
/** Methods that change nothing; every other one needs the session's CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthenticatedRequest {
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
  principal?: Principal;
  staffSession?: StaffSession;
  sessionToken?: string;
}

/**
 * Global guard: every route needs a Bearer API key or a staff session cookie whose role the
 * route allows, unless @Public. A session must also send its CSRF token on state-changing calls.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEY_STORE) private readonly apiKeys: ApiKeyStore,
    @Optional() @Inject(STAFF_STORE) private readonly staff?: StaffStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;

    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = await this.authenticate(request);
    request.principal = principal;

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, targets) ?? [];
    if (principal.role === 'admin' || allowed.includes(principal.role)) return true;
    const who = request.staffSession ? 'A staff member' : 'A key';
    throw new ForbiddenError(`${who} with role "${principal.role}" may not call this route; allowed: ${['admin', ...allowed].join(', ')}.`);
  }

  private async authenticate(request: AuthenticatedRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = typeof header === 'string' ? BEARER.exec(header) : null;
      if (!match) throw new UnauthorizedError();
      const principal = await this.apiKeys.authenticate(match[1]!);
      if (!principal) throw new UnauthorizedError('The API key is unknown or has been revoked.');
      return principal;
    }
    const token = this.staff ? readCookie(request.headers.cookie, SESSION_COOKIE) : undefined;
    if (!token || !this.staff) throw new UnauthorizedError();
    const session = await this.staff.authenticate(token);
    if (!session) throw new UnauthorizedError('The session has ended (signed out, idle too long, or the account was disabled); sign in again.');
    if (!SAFE_METHODS.has(request.method.toUpperCase()) && !csrfTokenMatches(session, request.headers[CSRF_HEADER])) {
      throw new ForbiddenError(`A signed-in request that changes something must send the session's CSRF token in the ${CSRF_HEADER} header.`);
    }
    request.staffSession = session;
    request.sessionToken = token;
    return session.principal;
  }
}
