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
  InvalidInputError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  IdempotencyKeyReusedError,
  TooManyAttemptsError,
  ERROR_CODES,
  isCodedError,
  type ErrorCode,
  type FieldError,
  type CodedError,
} from './errors';
export { parseInput } from './input';
export { problemFromError, problemFromStatus, problemType, PROBLEM_CONTENT_TYPE, type Problem, type MappedProblem } from './problem';
export {
  ApiKeyStore,
  actorOf,
  ROLES,
  isRole,
  type Role,
  type Principal,
  type ApiKeyInfo,
  type CreatedApiKey,
  type ApiKeyStoreOptions,
} from './auth/api-keys';
export {
  StaffStore,
  STAFF_ROLES,
  isStaffRole,
  csrfTokenMatches,
  DEFAULT_IDLE_TIMEOUT_MS,
  MIN_PASSWORD_LENGTH,
  type StaffRole,
  type StaffAccount,
  type StaffSession,
  type SignedIn,
  type StaffStoreOptions,
} from './auth/staff';
export { hashPassword, verifyPassword, generatePassword, DEFAULT_SCRYPT, type ScryptParameters } from './auth/passwords';
export { createLogger, type Logger, type LoggerOptions } from './logger';
export { metrics, httpMetrics } from './metrics';
export { runServiceMain, storeAndPostgresReadiness } from './service-main';
