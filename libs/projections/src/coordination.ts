import { tryBuildLease, type BuildLease } from './build-lease';
import { createGeneration, dropGeneration, loadGenerations, type Generation } from './catalog';
import type { Database } from './database';
import type { Projection } from './projection';
import type { Rebuild } from './rebuild';
import type { GenerationRunner, RunnerLogger } from './runner';

// How the processes that run one projection against one database agree on its generations.

/** What a runtime keeps per projection. */
export interface Entry {
  readonly projection: Projection;
  live: Generation;
  runner: GenerationRunner | undefined;
  rebuild: Rebuild | undefined;
  /** Held while this process builds the next generation; other processes follow. */
  lease: BuildLease | undefined;
  verifying: boolean;
}

/** The runtime's part: it makes the runners and rebuilds. */
export interface CoordinationHost {
  readonly db: Database;
  readonly logger?: RunnerLogger;
  runnerFor(projection: Projection, generation: Generation): GenerationRunner;
  startRebuild(entry: Entry, generation: Generation): void;
}

/**
 * Builds the next generation here if no other process does: carries on the building
 * generation of this version, or starts one. Losing the race is fine: this process then
 * follows the winner (`follow`).
 */
export async function takeOverBuild(host: CoordinationHost, entry: Entry): Promise<void> {
  const { db } = host;
  const { projection } = entry;
  const lease = await tryBuildLease(db, projection.name);
  if (!lease) return;
  try {
    const generations = await loadGenerations(db, projection.name);
    const live = generations.find((g) => g.state === 'live');
    if (live && live.generation !== entry.live.generation) await adopt(host, entry, live);
    let building: Generation | undefined;
    for (const candidate of generations.filter((g) => g.state === 'building')) {
      if (!building && candidate.version === projection.version) building = candidate;
      else await dropGeneration(db, candidate);
    }
    if (!building && entry.live.version === projection.version) return lease.release();
    entry.lease = lease;
    host.startRebuild(entry, building ?? (await createGeneration(db, projection, 'building')));
  } catch (error) {
    entry.lease = undefined;
    await lease.release();
    throw error;
  }
}

/**
 * Keeps this process in step with rebuilds run by others on the same database: feeds the
 * live generation once another process switched to it, and carries on a build whose
 * builder is gone.
 */
export async function follow(host: CoordinationHost, entry: Entry): Promise<void> {
  const phase = entry.rebuild?.phase;
  if (phase === 'catching-up' || phase === 'switching' || entry.verifying || entry.lease) return;
  const { projection } = entry;
  const generations = await loadGenerations(host.db, projection.name);
  const live = generations.find((g) => g.state === 'live');
  if (live && live.generation !== entry.live.generation) await adopt(host, entry, live);
  const building = generations.some((g) => g.state === 'building' && g.version === projection.version);
  // Only an older live version calls for a build: processes on different versions must not rebuild each other's in turn.
  if (building || entry.live.version < projection.version) await takeOverBuild(host, entry);
}

/** Feeds the generation another process made live; one of another version is left to the processes that know it. */
async function adopt(host: CoordinationHost, entry: Entry, live: Generation): Promise<void> {
  await entry.runner?.stop();
  entry.live = live;
  entry.runner = live.version === entry.projection.version ? host.runnerFor(entry.projection, live) : undefined;
  entry.runner?.start();
  host.logger?.warn({ projection: live.projection, generation: live.generation }, 'another process switched the projection; following it');
}
