export { startEmbeddedPlatform, type EmbeddedPlatform, type EmbeddedPlatformOptions } from './embedded-platform';
export { startEmbeddedDatabase, DATABASE_NAME, type EmbeddedDatabase, type EmbeddedDatabaseOptions } from './database';
export { loadEmbeddedConfig, DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_PG_PORT, type EmbeddedConfig } from './config';
export { dataDirLayout, readRuntime, type DataDirLayout, type RuntimeInfo } from './data-dir';
export { ensureDevKeys, readDevKeys, devKeyName, type DevKeys } from './dev-keys';
export { ensureDevStaff, devStaffEmail, type DevStaff, type DevStaffAccount } from './dev-staff';
export { serveConsole, consoleDistDir, CONSOLE_PATH } from './console-static';
export { MOUNTED_APIS } from './service-modules';
export { DataDirBusyError, PortInUseError, StrayPostgresError } from './errors';
