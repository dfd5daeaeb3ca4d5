// The Nest layer over the platform core: modules, guards, decorators, filters, the HTTP app.
export { PlatformModule, type PlatformModuleOptions } from './platform.module';
export { ApiKeyGuard, API_KEY_STORE, STAFF_STORE, type AuthenticatedRequest } from './auth.guard';
export { SESSION_COOKIE, CSRF_HEADER, readCookie, isSecureRequest, sessionCookie } from './session-cookie';
export { Roles, Public, CurrentPrincipal, ROLES_METADATA, PUBLIC_METADATA } from './decorators';
export { ApiProblems, ProblemDto, FieldErrorDto } from './openapi';
export { ProblemFilter } from './problem.filter';
export { PinoNestLogger } from './nest-logger';
export { OperationsController, type ReadinessCheck } from './operations.controller';
export { createHttpApp, DEFAULT_BODY_LIMIT_BYTES, type HttpAppOptions } from './http-app';
