import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataDirLayout, readDevKeys, readRuntime, startEmbeddedPlatform } from '@rapport/embedded';
import { createLogger, freePort } from '@rapport/platform';
import { parkedAfterCatchUp, runIngestFuzz, type FuzzTarget } from '../support/ingest-fuzz';

/**
 * `npm run fuzz:ingest`: hostile requests against an embedded platform — the one running on
 * RAPPORT_DATA_DIR if there is one, else a fresh one in a temporary folder — then the count per
 * status and the parked events per projection once they have caught up.
 * FUZZ_REQUESTS (default 100000), FUZZ_SEED, FUZZ_CONCURRENCY (default 8).
 */
async function main(): Promise<void> {
  const requests = Number(process.env.FUZZ_REQUESTS ?? 100_000);
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
  const concurrency = Number(process.env.FUZZ_CONCURRENCY ?? 8);
  const { target, stop } = await platform();
  try {
    console.log(`fuzzing ${target.url} with ${requests} requests, seed ${seed}, ${concurrency} at a time`);
    const started = Date.now();
    const report = await runIngestFuzz(target, requests, {
      seed,
      concurrency,
      onProgress: (done) => done % 10_000 === 0 && console.log(`  ${done} sent`),
    });
    console.log(`\nstatus   count   (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    for (const [status, count] of [...report.statuses].sort(([a], [b]) => a - b)) console.log(`${status}      ${count}`);
    const parked = await parkedAfterCatchUp(target);
    console.log('\nparked events after catch-up');
    for (const [name, count] of Object.entries(parked)) console.log(`${name.padEnd(20)} ${count}`);
    for (const [name, count] of Object.entries(parked)) if (count > 0) await printParked(target, name);
    const totalParked = Object.values(parked).reduce((sum, count) => sum + count, 0);
    console.log(`\n5xx or non-problem errors: ${report.failures.length}; parked: ${totalParked}`);
    for (const failure of report.failures.slice(0, 20)) console.log(`  ${failure}`);
    process.exitCode = report.failures.length === 0 && totalParked === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

/** Each parked event of a projection with its error, and the event as stored, so it can be replayed by hand. */
async function printParked(target: FuzzTarget, projection: string): Promise<void> {
  const get = (path: string) => fetch(`${target.url}${path}`, { headers: { authorization: `Bearer ${target.keys.admin}` } }).then((response) => response.json());
  const { parked } = (await get(`/v1/admin/projections/${projection}/parked?limit=20`)) as { parked: { eventId: string; type: string; streamId: string; error: string }[] };
  for (const event of parked) console.log(`  ${projection}: ${event.type} ${event.eventId} in ${event.streamId}: ${event.error}`);
}

async function platform(): Promise<{ target: FuzzTarget; stop: () => Promise<void> }> {
  const configured = process.env.RAPPORT_DATA_DIR;
  if (configured) {
    const runtime = await readRuntime(configured);
    if (runtime) {
      const keys = (await readDevKeys(dataDirLayout(configured).devKeys)) as FuzzTarget['keys'];
      return { target: { url: runtime.url, keys }, stop: async () => undefined };
    }
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'rapport-fuzz-'));
  await chmod(dataDir, 0o755);
  const started = await startEmbeddedPlatform({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    pgPort: await freePort(),
    log: createLogger({ level: 'error', serviceName: 'rapport' }),
  });
  return {
    target: started,
    stop: async () => {
      await started.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
