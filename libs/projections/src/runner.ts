import type { SubscriptionStall } from '@rapport/event-store';
import { applyBatch, lockGeneration, type BatchHooks, type BatchOutcome } from './batch';
import { APPLIED_TABLE, RUNTIME_SCHEMA, type Generation } from './catalog';
import { ident, type Database, type Sql } from './database';
import { GenerationRetiredError, ProjectionFailedError } from './errors';
import { projectionMetrics } from './metrics';
import type { Projection } from './projection';
import type { EventSource, SourceBatch, SourceHandler, SourceRun } from './source';

export interface RunnerLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface RunnerOptions {
  readonly db: Database;
  readonly projection: Projection;
  readonly generation: Generation;
  readonly source: EventSource;
  /** Whether readers see this generation (or will the moment it switches): turns on live side effects. */
  readonly live: boolean;
  readonly hooks?: BatchHooks;
  readonly logger?: RunnerLogger;
  /**
   * Least time between the starts of two batches. Under a trickle of events it lets a few
   * accumulate instead of committing one transaction per event; a bulk catch-up, whose
   * batches take longer anyway, is not slowed down.
   */
  readonly minBatchIntervalMs?: number;
}

const RATE_WINDOW_MS = 10_000;
const MAX_BACKOFF_MS = 5_000;
/** Tables filled in bulk (a rebuild, a catch-up) get fresh planner statistics this often. */
const ANALYZE_EVERY_EVENTS = 20_000;
const MIN_BATCH_INTERVAL_MS = 20;
/** A feed held back this long by an open transaction gets a warning naming it. */
const STALL_WARN_SECONDS = 5;

/**
 * Feeds one generation of one projection from a source: one transaction per batch,
 * batches strictly one after another. A failed batch restarts the source from the stored
 * checkpoint after a back-off; a retired generation stops the runner for good, and so
 * does a fatal failure (the projection's code or schema is wrong) until the process restarts.
 */
export class GenerationRunner {
  /** Replaced (with state `live`) when a rebuilt generation takes over. */
  generation: Generation;
  live: boolean;
  hooks: BatchHooks;
  lastError: string | undefined;
  /** Set when a batch failed fatally: the runner stopped and stays stopped. */
  failure: ProjectionFailedError | undefined;
  /** Set while the source's committed events wait behind an older open transaction. */
  stall: SubscriptionStall | undefined;
  private stallWarned = false;
  private run: SourceRun | undefined;
  private stopping = false;
  private retired = false;
  private supervisor: Promise<void> | undefined;
  private tail: Promise<void> = Promise.resolve();
  private readonly recent: Array<{ at: number; events: number }> = [];
  private sinceAnalyze = 0;
  private readonly handler: SourceHandler;

  constructor(private readonly options: RunnerOptions) {
    this.generation = options.generation;
    this.live = options.live;
    this.hooks = options.hooks ?? {};
    this.handler = {
      projection: options.generation.projection,
      generation: options.generation.generation,
      checkpointFor: (partition) => this.checkpointFor(partition),
      apply: (batch) => this.applyBatch(batch),
      onStall: (stall) => this.onStall(stall),
    };
  }

  get source(): EventSource {
    return this.options.source;
  }

  get running(): boolean {
    return this.supervisor !== undefined && !this.stopping && !this.retired && !this.failure;
  }

  /** True when the source knows of nothing beyond what this runner committed. */
  get caughtUp(): boolean {
    return this.run?.caughtUp ?? false;
  }

  /** Events per second over the last ten seconds. */
  get eventsPerSecond(): number {
    const now = Date.now();
    while (this.recent.length > 0 && this.recent[0].at < now - RATE_WINDOW_MS) this.recent.shift();
    const events = this.recent.reduce((sum, entry) => sum + entry.events, 0);
    return Math.round((events / RATE_WINDOW_MS) * 1000 * 10) / 10;
  }

  start(): void {
    if (this.supervisor) return;
    this.stopping = false;
    this.supervisor = this.supervise();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.run?.stop();
    await this.supervisor;
    this.supervisor = undefined;
  }

  /** Runs `work` between batches: no batch of this runner is in flight meanwhile. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }

  /** Holds batches back until the returned function is called. */
  async pause(): Promise<() => void> {
    let resume!: () => void;
    const paused = new Promise<void>((resolve) => {
      void this.exclusive(() => {
        resolve();
        return new Promise<void>((release) => (resume = release));
      });
    });
    await paused;
    return resume;
  }

  /** A transaction holding this generation's lock, between batches; for switch-overs when no event arrives. */
  async transaction<T>(work: (tx: Sql) => Promise<T>): Promise<T> {
    return this.exclusive(() =>
      this.options.db.transaction(async (tx) => {
        await lockGeneration(tx, this.generation);
        return work(tx);
      }),
    );
  }

  private async supervise(): Promise<void> {
    let backoff = 100;
    while (!this.stopping && !this.retired && !this.failure) {
      const run = this.options.source.start(this.handler);
      this.run = run;
      try {
        await run.closed;
        if (this.stopping) return;
        this.lastError = 'the source closed by itself; restarting it';
      } catch (error) {
        if (error instanceof GenerationRetiredError) {
          this.retired = true;
          return;
        }
        this.lastError = error instanceof Error ? error.message : String(error);
        // Set by applyBatch while the source ran (the loop condition's narrowing does not know).
        const failure = this.failure as ProjectionFailedError | undefined;
        if (failure) {
          this.options.logger?.error(
            { projection: this.generation.projection, generation: this.generation.generation, err: failure.cause, eventId: failure.eventId },
            'projection failed: its code or schema is wrong, so it stops instead of parking every event; fix it and restart',
          );
          projectionMetrics().failures.inc({ projection: this.generation.projection, build: this.generation.state });
          await run.stop().catch(() => undefined);
          return;
        }
        this.options.logger?.warn({ projection: this.generation.projection, generation: this.generation.generation, err: error }, 'projection batch failed; retrying');
      }
      await run.stop().catch(() => undefined);
      await sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  private onStall(stall: SubscriptionStall | undefined): void {
    this.stall = stall;
    if (stall === undefined) {
      this.stallWarned = false;
      return;
    }
    if (this.stallWarned || stall.seconds < STALL_WARN_SECONDS) return;
    this.stallWarned = true;
    this.options.logger?.warn(
      {
        projection: this.generation.projection,
        generation: this.generation.generation,
        stalledSeconds: Math.round(stall.seconds),
        blockingPid: stall.blocker?.pid,
        blockingTransactionSeconds: stall.blocker ? Math.round(stall.blocker.openSeconds) : undefined,
        blockingState: stall.blocker?.state,
      },
      `projection feed stalled: committed events wait for an older open transaction${stall.blocker ? ` (backend pid ${stall.blocker.pid}, open ${Math.round(stall.blocker.openSeconds)} s, ${stall.blocker.state ?? 'state unknown'})` : ''}; end it, or let idle_in_transaction_session_timeout do so`,
    );
  }

  private async checkpointFor(partition: string): Promise<string | undefined> {
    const [row] = await this.options.db.query<{ checkpoint: string | null }>(
      `SELECT checkpoint FROM ${RUNTIME_SCHEMA}.checkpoints WHERE projection = $1 AND generation = $2 AND partition = $3`,
      [this.generation.projection, this.generation.generation, partition],
    );
    return row?.checkpoint ?? undefined;
  }

  private async applyBatch(batch: SourceBatch): Promise<void> {
    const started = process.hrtime.bigint();
    let outcome: BatchOutcome;
    try {
      outcome = await this.exclusive(() =>
        this.options.db.transaction((tx) =>
          applyBatch(tx, { projection: this.options.projection, generation: this.generation, live: this.live }, batch, this.hooks),
        ),
      );
    } catch (error) {
      // Noted here, not where the source rethrows it: a source may wrap the errors it passes on.
      if (error instanceof ProjectionFailedError) this.failure = error;
      throw error;
    }
    this.lastError = undefined;
    this.recent.push({ at: Date.now(), events: outcome.fresh });
    const labels = { projection: this.generation.projection, build: this.generation.state };
    const metrics = projectionMetrics();
    metrics.applied.inc(labels, outcome.applied);
    if (outcome.parked > 0) metrics.parked.inc(labels, outcome.parked);
    if (outcome.duplicates > 0) metrics.duplicates.inc(labels, outcome.duplicates);
    metrics.batchSeconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    if ((this.sinceAnalyze += outcome.fresh) >= ANALYZE_EVERY_EVENTS) {
      this.sinceAnalyze = 0;
      void this.analyze().catch((error: unknown) => this.options.logger?.warn({ err: error }, 'could not analyze read-model tables'));
    }
    // Holding the source back (it reads again only when this resolves) is what batches a trickle.
    const rest = (this.options.minBatchIntervalMs ?? MIN_BATCH_INTERVAL_MS) - Number(process.hrtime.bigint() - started) / 1e6;
    if (rest > 1 && !this.stopping) await sleep(rest);
  }

  /**
   * Refreshes planner statistics of the generation's tables. Autovacuum would get there,
   * but only after a while; until then queries on a freshly built table plan as if it were empty.
   */
  async analyze(): Promise<void> {
    const schema = ident(this.generation.schemaName);
    const tables = [...this.options.projection.tables.map((table) => ident(table.name)), APPLIED_TABLE];
    await this.options.db.query(`ANALYZE ${tables.map((table) => `${schema}.${table}`).join(', ')}`);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
