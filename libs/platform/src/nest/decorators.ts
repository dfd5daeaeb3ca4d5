import { SetMetadata, applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Principal, Role } from '../auth/api-keys';
import { ApiProblems } from './openapi';

export const ROLES_METADATA = 'rapport:roles';
export const PUBLIC_METADATA = 'rapport:public';

/**
 * Which roles may call a route (or every route of a controller). Admin keys may always;
 * a route with neither @Roles nor @Public is admin-only.
 */
export const Roles = (...roles: Role[]) =>
  applyDecorators(SetMetadata(ROLES_METADATA, roles), ApiBearerAuth(), ApiProblems(401, 403));

/** No API key needed (health probes, metrics scraping). */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);

/** The caller the auth guard let in; undefined on @Public routes. */
export const CurrentPrincipal = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal | undefined => context.switchToHttp().getRequest<{ principal?: Principal }>().principal,
);
