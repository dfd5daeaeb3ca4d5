import type { EmbeddedServer } from '@rapport/platform';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __rapportPostgres?: EmbeddedServer }).__rapportPostgres?.stop();
}
