import type { EmbeddedServer } from './embedded-server';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __rapportPostgres?: EmbeddedServer }).__rapportPostgres?.stop();
}
