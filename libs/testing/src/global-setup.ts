import { startEmbeddedPostgres } from '@rapport/platform';
import { TEST_SERVER_ENV } from './test-database';

// One PostgreSQL server for the whole jest run; spec files each create their own database.
export default async function globalSetup(): Promise<void> {
  const server = await startEmbeddedPostgres();
  process.env[TEST_SERVER_ENV] = server.adminUrl;
  (globalThis as { __rapportPostgres?: typeof server }).__rapportPostgres = server;
}
