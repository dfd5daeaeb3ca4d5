import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPlatform, type EmbeddedPlatform } from '@rapport/embedded';
import { createLogger } from '@rapport/platform';

// The whole embedded platform as `npm start` runs it (every service, projectors on), in a
// process of its own started with the same heap flags, so that its RSS is its own.

export type HostRequest = { kind: 'peak-rss' } | { kind: 'stop' };
export type HostMessage =
  | { kind: 'ready'; url: string; emitterKey: string; databaseUrl: string }
  | { kind: 'peak-rss'; bytes: number }
  | { kind: 'failed'; error: string };

let platform: EmbeddedPlatform | undefined;
let dataDir: string | undefined;
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
const send = (message: HostMessage) => process.send?.(message);

async function start(): Promise<void> {
  dataDir = await mkdtemp(join(tmpdir(), 'rapport-bench-platform-'));
  platform = await startEmbeddedPlatform({ dataDir, port: 0, log: createLogger({ level: 'warn', serviceName: 'rapport-bench' }) });
  // Starting (initdb, migrations) is not what the target is about: count from here.
  peakRss = process.memoryUsage.rss();
  send({ kind: 'ready', url: platform.url, emitterKey: platform.keys.emitter, databaseUrl: platform.databaseUrl });
}

async function stop(): Promise<never> {
  clearInterval(sampler);
  await platform?.stop().catch(() => undefined);
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
}

process.on('message', (request: HostRequest) => {
  if (request.kind === 'peak-rss') send({ kind: 'peak-rss', bytes: Math.max(peakRss, process.memoryUsage.rss()) });
  else void stop();
});
process.on('disconnect', () => void stop());
start().catch((error: unknown) => {
  send({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  void stop();
});
