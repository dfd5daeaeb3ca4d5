export { startEmbeddedPostgres, freePort, type EmbeddedServer, type EmbeddedServerOptions } from './embedded-server';
export { createTestDatabase, TEST_SERVER_ENV, type TestDatabase } from './test-database';
