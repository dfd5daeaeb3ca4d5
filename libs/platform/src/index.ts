export { startEmbeddedPostgres, freePort, type EmbeddedServer, type EmbeddedServerOptions } from './embedded-postgres';
