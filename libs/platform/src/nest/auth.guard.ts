import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiKeyStore, Principal, Role } from '../auth/api-keys';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { PUBLIC_METADATA, ROLES_METADATA } from './decorators';

export const API_KEY_STORE = Symbol('ApiKeyStore');

const BEARER = /^Bearer +(\S+) *$/i;

/** Global guard: every route needs a Bearer API key whose role the route allows, unless @Public. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEY_STORE) private readonly apiKeys: ApiKeyStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;

    const request = context.switchToHttp().getRequest<{ headers: Record<string, string | string[] | undefined>; principal?: Principal }>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match) throw new UnauthorizedError();
    const principal = await this.apiKeys.authenticate(match[1]!);
    if (!principal) throw new UnauthorizedError('The API key is unknown or has been revoked.');
    request.principal = principal;

    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, targets) ?? [];
    if (principal.role === 'admin' || allowed.includes(principal.role)) return true;
    throw new ForbiddenError(`A key with role "${principal.role}" may not call this route; allowed: ${['admin', ...allowed].join(', ')}.`);
  }
}
