export { startEmbeddedPostgres, freePort, type EmbeddedServer, type EmbeddedServerOptions } from './embedded-postgres';
export { loadConfig, loadConfigs, ConfigError, env, LOG_LEVELS, type Env, type LogLevel } from './config';
export {
  ValidationError,
  MalformedJsonError,
  NotFoundError,
  ConcurrencyError,
  IllegalStateError,
  UnauthorizedError,
  ForbiddenError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  IdempotencyKeyReusedError,
  ERROR_CODES,
  isCodedError,
  type ErrorCode,
  type FieldError,
  type CodedError,
} from './errors';
export { problemFromError, problemFromStatus, problemType, PROBLEM_CONTENT_TYPE, type Problem, type MappedProblem } from './problem';
export {
  ApiKeyStore,
  ROLES,
  isRole,
  type Role,
  type Principal,
  type ApiKeyInfo,
  type CreatedApiKey,
  type ApiKeyStoreOptions,
} from './auth/api-keys';
export { createLogger, type Logger, type LoggerOptions } from './logger';
export { metrics, httpMetrics } from './metrics';
export { PlatformModule, type PlatformModuleOptions } from './nest/platform.module';
export { ApiKeyGuard, API_KEY_STORE } from './nest/auth.guard';
export { Roles, Public, CurrentPrincipal, ROLES_METADATA, PUBLIC_METADATA } from './nest/decorators';
export { ApiProblems, ProblemDto, FieldErrorDto } from './nest/openapi';
export { ProblemFilter } from './nest/problem.filter';
export { PinoNestLogger } from './nest/nest-logger';
export { OperationsController, type ReadinessCheck } from './nest/operations.controller';
export { createHttpApp, DEFAULT_BODY_LIMIT_BYTES, type HttpAppOptions } from './nest/http-app';
