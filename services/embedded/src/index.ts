export { startEmbeddedPlatform, type EmbeddedPlatform, type EmbeddedPlatformOptions } from './embedded-platform';
export { startEmbeddedDatabase, DATABASE_NAME, type EmbeddedDatabase, type EmbeddedDatabaseOptions } from './database';
export { loadEmbeddedConfig, DEFAULT_DATA_DIR, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_PG_PORT, type EmbeddedConfig } from './config';
export { dataDirLayout, readRuntime, type DataDirLayout, type RuntimeInfo } from './data-dir';
export { ensureDevKeys, readDevKeys, devKeyName, type DevKeys } from './dev-keys';
export { MOUNTED_APIS } from './service-modules';
export { DataDirBusyError, PortInUseError, StrayPostgresError } from './errors';
