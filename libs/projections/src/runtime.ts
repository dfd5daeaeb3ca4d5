import { tryBuildLease } from './build-lease';
import { createGeneration, dropGeneration, generationState, loadGenerations, migrateRuntime, pointViewsAt, RUNTIME_SCHEMA, type Generation } from './catalog';
import { follow, takeOverBuild, type CoordinationHost, type Entry } from './coordination';
import type { Database } from './database';
import { registerRuntime, unregisterRuntime } from './directory';
import { IllegalStateError, UnknownProjectionError } from './errors';
import { registerStatusGauges } from './metrics';
import { countParked, listParked, retryParked, type ParkedEvent, type RetryReport } from './parked';
import type { Projection } from './projection';
import { Rebuild, sleep, type RebuildPhase } from './rebuild';
import { GenerationRunner, type RunnerLogger } from './runner';
import type { EventSource } from './source';
import { verifyProjection, type VerifyReport } from './verify';

export interface ProjectionRuntimeOptions {
  readonly db: Database;
  readonly projections: readonly Projection[];
  /** Feeds live generations: the store subscription in embedded mode, a Kafka consumer when scaled. */
  readonly source: EventSource;
  /** Replays the log from position 0 for rebuilds and verify; the event store. Defaults to `source`. */
  readonly replaySource?: EventSource;
  readonly logger?: RunnerLogger;
  /** How often the runtime looks for rebuilds that other processes on the same database started or switched (default 1 s). */
  readonly followIntervalMs?: number;
}

export interface GenerationProgress {
  readonly generation: number;
  readonly version: number;
  readonly position: number;
  readonly lagEvents: number | null;
  readonly lagSeconds: number | null;
  readonly eventsPerSecond: number;
  readonly parked: number;
  /** How long committed events have waited behind an older open transaction; 0 when they flow. */
  readonly stalledSeconds: number;
}

export interface ProjectionStatus extends GenerationProgress {
  readonly name: string;
  /** Schema of the views queries read. */
  readonly schema: string;
  /**
   * `frozen`: serving an older version's tables, no longer updated, while the new version builds.
   * `failed`: stopped because its code or schema is wrong (`lastError` says how); restart once fixed.
   */
  readonly state: 'running' | 'stopped' | 'frozen' | 'failed';
  readonly source: string;
  readonly caughtUp: boolean;
  readonly lastError: string | null;
  readonly rebuild: (GenerationProgress & { readonly phase: RebuildPhase; readonly error: string | null }) | null;
  readonly verifying: boolean;
}

/**
 * Runs a service's projections: keeps each one's live generation fed, rebuilds beside it,
 * verifies, and lists or retries parked events. Every started runtime is listed in the
 * process directory, which the admin API and metrics read.
 */
export class ProjectionRuntime {
  private readonly entries = new Map<string, Entry>();
  private started = false;
  private followTimer: NodeJS.Timeout | undefined;
  /** Serialises rebuild requests with following other processes, so that neither sees the other's half-done changes. */
  private coordination: Promise<unknown> = Promise.resolve();
  private readonly host: CoordinationHost;

  constructor(private readonly options: ProjectionRuntimeOptions) {
    const names = options.projections.map((projection) => projection.name);
    if (new Set(names).size !== names.length) throw new Error(`projection names must be unique: ${names.join(', ')}`);
    this.host = {
      db: options.db,
      logger: options.logger,
      runnerFor: (projection, generation) => this.runnerFor(projection, generation),
      startRebuild: (entry, generation) => this.startRebuild(entry, generation),
    };
  }

  get names(): string[] {
    return this.options.projections.map((projection) => projection.name);
  }

  has(name: string): boolean {
    return this.options.projections.some((projection) => projection.name === name);
  }

  async start(): Promise<void> {
    if (this.started) return;
    await migrateRuntime(this.options.db);
    for (const projection of this.options.projections) this.entries.set(projection.name, await this.resume(projection));
    this.started = true;
    registerRuntime(this);
    registerStatusGauges();
    this.scheduleFollow();
  }

  async stop(): Promise<void> {
    unregisterRuntime(this);
    this.started = false;
    clearTimeout(this.followTimer);
    await this.coordinated(async () => {
      await Promise.all(
        [...this.entries.values()].map(async (entry) => {
          await entry.rebuild?.cancel();
          await entry.runner?.stop();
          await entry.lease?.release();
        }),
      );
      this.entries.clear();
    });
  }

  /** Starts building a new generation from position 0 beside the live one; resolves once it has started. */
  async rebuild(name: string): Promise<ProjectionStatus> {
    await this.coordinated(() => this.startOwnRebuild(this.entry(name)));
    return (await this.status(name))[0];
  }

  private async startOwnRebuild(entry: Entry): Promise<void> {
    const { name } = entry.projection;
    if (entry.rebuild && entry.rebuild.phase !== 'switched' && entry.rebuild.phase !== 'failed') {
      throw new IllegalStateError(`${name} is already being rebuilt (generation ${entry.rebuild.generation.generation})`);
    }
    if (entry.verifying) throw new IllegalStateError(`${name} is being verified; rebuild it afterwards`);
    entry.lease ??= await tryBuildLease(this.options.db, name);
    if (!entry.lease) throw new IllegalStateError(`${name} is being rebuilt by another process; this one switches over when it does`);
    const abandoned = entry.rebuild && entry.rebuild.phase !== 'switched' ? entry.rebuild : undefined;
    if (abandoned) {
      await abandoned.cancel();
      await this.discard(entry, abandoned.generation);
    }
    // Holding the lease, no one else builds: what another process left half built goes.
    for (const leftover of await loadGenerations(this.options.db, name)) {
      if (leftover.state === 'building') await dropGeneration(this.options.db, leftover);
    }
    const generation = await createGeneration(this.options.db, entry.projection, 'building');
    this.startRebuild(entry, generation);
  }

  /** Waits for a running rebuild to switch (or fail). */
  async rebuildFinished(name: string): Promise<void> {
    await this.entry(name).rebuild?.done;
  }

  async verify(name: string): Promise<VerifyReport> {
    const entry = this.entry(name);
    if (!entry.runner || entry.live.version !== entry.projection.version) throw new IllegalStateError(`${name} is not running its current version; verify after the rebuild`);
    if (entry.rebuild && entry.rebuild.phase !== 'switched') throw new IllegalStateError(`${name} is being rebuilt; verify afterwards`);
    if (entry.verifying) throw new IllegalStateError(`${name} is already being verified`);
    entry.verifying = true;
    try {
      return await verifyProjection({ db: this.options.db, projection: entry.projection, live: entry.runner, source: this.replaySource, logger: this.options.logger });
    } finally {
      entry.verifying = false;
    }
  }

  async parked(name: string, limit = 100): Promise<ParkedEvent[]> {
    return listParked(this.options.db, this.entry(name).live, limit);
  }

  async retry(name: string, eventId: string | 'all'): Promise<RetryReport> {
    const entry = this.entry(name);
    if (!entry.runner) throw new IllegalStateError(`${name} is not running; parked events are retried by its runner`);
    return retryParked(entry.runner, entry.projection, eventId);
  }

  async status(name?: string): Promise<ProjectionStatus[]> {
    const entries = name === undefined ? [...this.entries.values()] : [this.entry(name)];
    const head = entries.length > 0 ? await this.options.source.headPosition().catch(() => undefined) : undefined;
    return Promise.all(
      entries.map(async (entry): Promise<ProjectionStatus> => {
        const progress = await this.progress(entry.live, entry.runner, head);
        const rebuild = entry.rebuild && entry.rebuild.phase !== 'switched' ? entry.rebuild : undefined;
        return {
          name: entry.projection.name,
          schema: entry.projection.schema,
          ...progress,
          state: entry.runner?.failure ? 'failed' : entry.runner?.running ? 'running' : entry.live.version !== entry.projection.version ? 'frozen' : 'stopped',
          source: this.options.source.name,
          caughtUp: entry.runner?.caughtUp ?? false,
          lastError: entry.runner?.lastError ?? null,
          rebuild: rebuild
            ? { ...(await this.progress(rebuild.generation, rebuild.runner, head)), phase: rebuild.phase, error: rebuild.error ?? null }
            : null,
          verifying: entry.verifying,
        };
      }),
    );
  }

  /** Resolves once every live generation has applied all stored events and no rebuild is under way (tests, benchmarks). */
  async settled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const statuses = await this.status();
      const failed = statuses.find((status) => status.state === 'failed');
      if (failed) throw new IllegalStateError(`projection ${failed.name} failed: ${failed.lastError}`);
      if (statuses.every((status) => status.caughtUp && status.lagEvents === 0 && status.rebuild === null)) return;
      if (Date.now() > deadline) throw new Error(`projections not settled after ${timeoutMs} ms: ${JSON.stringify(statuses)}`);
      await sleep(20);
    }
  }

  private get replaySource(): EventSource {
    return this.options.replaySource ?? this.options.source;
  }

  private entry(name: string): Entry {
    const entry = this.entries.get(name);
    if (!entry) throw new UnknownProjectionError(name);
    return entry;
  }

  /** Picks up where the last process left off; a bumped version starts a rebuild, unless another process already builds it. */
  private async resume(projection: Projection): Promise<Entry> {
    const { db } = this.options;
    const generations = await loadGenerations(db, projection.name);
    for (const leftover of generations.filter((g) => g.state === 'scratch')) await dropGeneration(db, leftover);
    let live = generations.find((g) => g.state === 'live');
    const building = generations.find((g) => g.state === 'building');
    if (!live && building && building.version === projection.version) live = await this.promote(projection, building);
    live ??= await createGeneration(db, projection, 'live');
    const entry: Entry = { projection, live, runner: undefined, rebuild: undefined, lease: undefined, verifying: false };
    if (live.version === projection.version) {
      entry.runner = this.runnerFor(projection, live);
      entry.runner.start();
    }
    if (live.version !== projection.version || (building?.version === projection.version && building.generation !== live.generation)) {
      await takeOverBuild(this.host, entry);
    }
    return entry;
  }

  private scheduleFollow(): void {
    this.followTimer = setTimeout(() => {
      void this.coordinated(async () => {
        for (const entry of this.entries.values()) {
          if (!this.started) return;
          await follow(this.host, entry).catch((error: unknown) =>
            this.options.logger?.warn({ projection: entry.projection.name, err: error }, 'could not check for rebuilds by other processes'),
          );
        }
      }).finally(() => {
        if (this.started) this.scheduleFollow();
      });
    }, this.options.followIntervalMs ?? 1_000);
    // The runners keep a process alive, not this check.
    this.followTimer.unref();
  }

  private coordinated<T>(work: () => Promise<T>): Promise<T> {
    const result = this.coordination.then(work);
    this.coordination = result.catch(() => undefined);
    return result;
  }

  private async promote(projection: Projection, generation: Generation): Promise<Generation> {
    await this.options.db.transaction(async (tx) => {
      await tx.query(`UPDATE ${RUNTIME_SCHEMA}.generations SET state = 'live', live_since = now() WHERE projection = $1 AND generation = $2`, [
        projection.name,
        generation.generation,
      ]);
      await pointViewsAt(tx, projection, generation.schemaName);
    });
    return { ...generation, state: 'live' };
  }

  private runnerFor(projection: Projection, generation: Generation): GenerationRunner {
    return new GenerationRunner({ db: this.options.db, projection, generation, source: this.options.source, live: true, logger: this.options.logger });
  }

  private startRebuild(entry: Entry, generation: Generation): void {
    const previous = { generation: entry.live, runner: entry.runner };
    const rebuild = new Rebuild({
      db: this.options.db,
      projection: entry.projection,
      generation,
      source: this.replaySource,
      previous,
      logger: this.options.logger,
      onSwitched: async (built) => {
        let runner = built;
        if (built.source !== this.options.source) {
          // The rebuild followed the replay source; a live generation follows `source` (the consumer group when scaled).
          await built.stop();
          runner = this.runnerFor(entry.projection, built.generation);
          runner.start();
        }
        // Together, so that no one sees the new generation with the old, stopped runner.
        entry.live = runner.generation;
        entry.runner = runner;
      },
    });
    entry.rebuild = rebuild;
    // A failed rebuild keeps the lease until it is rebuilt again or the process stops, so that no other process retries it in a loop.
    void rebuild.done.then(async () => {
      if (rebuild.phase !== 'switched' || entry.rebuild !== rebuild) return;
      const lease = entry.lease;
      entry.lease = undefined;
      await lease?.release();
    });
  }

  /** Drops a failed rebuild's generation, unless the database made it live after all: then it is the live one. */
  private async discard(entry: Entry, generation: Generation): Promise<void> {
    const { db } = this.options;
    if ((await generationState(db, generation)) !== 'live') return dropGeneration(db, generation);
    const current: Generation = { ...generation, state: 'live' };
    const previous = entry.live;
    await entry.runner?.stop();
    entry.live = current;
    entry.runner = this.runnerFor(entry.projection, current);
    entry.runner.start();
    if (previous.generation !== current.generation) await dropGeneration(db, { ...previous, state: 'retired' });
  }

  private async progress(generation: Generation, runner: GenerationRunner | undefined, head: number | undefined): Promise<GenerationProgress> {
    const [row] = await this.options.db.query<{ position: string | null; last_recorded_at: Date | null }>(
      `SELECT max(position) AS position, max(last_recorded_at) AS last_recorded_at FROM ${RUNTIME_SCHEMA}.checkpoints
        WHERE projection = $1 AND generation = $2`,
      [generation.projection, generation.generation],
    );
    const position = Number(row?.position ?? 0);
    const lagEvents = head === undefined ? null : Math.max(0, head - position);
    const lastRecorded = row?.last_recorded_at;
    return {
      generation: generation.generation,
      version: generation.version,
      position,
      lagEvents,
      lagSeconds: lagEvents === 0 ? 0 : lastRecorded ? Math.max(0, (Date.now() - lastRecorded.getTime()) / 1000) : null,
      eventsPerSecond: runner?.eventsPerSecond ?? 0,
      stalledSeconds: runner?.stall?.seconds ?? 0,
      parked: await countParked(this.options.db, generation),
    };
  }
}
