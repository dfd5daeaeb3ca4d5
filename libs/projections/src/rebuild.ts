import { covers, dropGeneration, generationState, pointViewsAt, RUNTIME_SCHEMA, type Generation } from './catalog';
import type { Database, Sql } from './database';
import { isTransient } from './failures';
import type { Projection } from './projection';
import { GenerationRunner, type RunnerLogger } from './runner';
import type { EventSource } from './source';

export type RebuildPhase = 'catching-up' | 'switching' | 'switched' | 'failed' | 'cancelled';

export interface RebuildOptions {
  readonly db: Database;
  readonly projection: Projection;
  /** The new, `building` generation. */
  readonly generation: Generation;
  readonly source: EventSource;
  /** The generation readers use now, and its runner when it is still being fed. */
  readonly previous?: { readonly generation: Generation; readonly runner?: GenerationRunner };
  /** Called once readers see the new generation, with the runner that built it. */
  readonly onSwitched: (runner: GenerationRunner) => void | Promise<void>;
  readonly logger?: RunnerLogger;
}

const POLL_MS = 50;
const MAX_BACKOFF_MS = 5_000;

/**
 * Builds a generation from position 0 beside the live one, then switches readers over:
 * 1. catch up with the source while the old generation keeps serving and updating;
 * 2. stop the old runner (its tables stay readable) and let the new one do live side effects;
 * 3. in one of the new runner's transactions, once it has applied at least every event the
 *    old one had, retire the old generation and repoint the views — readers go from the
 *    old tables to the new ones in one commit, never seeing fewer entries;
 * 4. drop the old tables.
 */
export class Rebuild {
  readonly runner: GenerationRunner;
  readonly done: Promise<void>;
  phase: RebuildPhase = 'catching-up';
  error: string | undefined;
  private cancelled = false;

  constructor(private readonly options: RebuildOptions) {
    this.runner = new GenerationRunner({
      db: options.db,
      projection: options.projection,
      generation: options.generation,
      source: options.source,
      live: false,
      logger: options.logger,
    });
    this.runner.start();
    this.done = this.drive().catch((error: unknown) => {
      this.phase = 'failed';
      this.error = error instanceof Error ? error.message : String(error);
      options.logger?.warn({ projection: options.projection.name, err: error }, 'rebuild failed');
    });
  }

  get generation(): Generation {
    return this.options.generation;
  }

  /** Stops building; a rebuild that already switched leaves its runner alone, which may be the live one now. */
  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.done;
    if (this.phase !== 'switched') await this.runner.stop();
  }

  private async drive(): Promise<void> {
    while (!this.runner.caughtUp) {
      if (this.cancelled) return this.markCancelled();
      if (this.runner.failure) throw this.runner.failure;
      await sleep(POLL_MS);
    }
    this.phase = 'switching';
    // Readers must meet the new tables with statistics that describe them.
    await this.runner.analyze();
    await this.options.previous?.runner?.stop();
    this.runner.live = true;
    this.runner.hooks = {
      beforeCommit: async (tx) => {
        await this.trySwitch(tx);
      },
    };
    let switched = false;
    let failure: unknown;
    try {
      switched = await this.switchOver();
    } catch (error) {
      failure = error;
    }
    if (!switched) switched = await this.standDown();
    if (!switched) {
      if (failure !== undefined) throw failure;
      return this.markCancelled();
    }
    this.runner.hooks = {};
    this.runner.generation = { ...this.options.generation, state: 'live' };
    // 'switched' only once the runtime has taken the new runner over: until then readers' status and another rebuild see a switch under way.
    await this.options.onSwitched(this.runner);
    this.phase = 'switched';
    if (this.options.previous) await dropGeneration(this.options.db, { ...this.options.previous.generation, state: 'retired' });
  }

  /** Batches try the switch as they commit; when no event arrives, an empty transaction does. True once switched. */
  private async switchOver(): Promise<boolean> {
    let backoff = POLL_MS;
    for (;;) {
      if (this.cancelled) return false;
      try {
        if (await this.runner.transaction((tx) => this.trySwitch(tx))) return true;
        backoff = POLL_MS;
      } catch (error) {
        if (!isTransient(error)) throw error;
        this.options.logger?.warn({ projection: this.options.projection.name, err: error }, 'rebuild switch failed; retrying');
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
      await sleep(backoff);
    }
  }

  /**
   * Undoes step 2 after a failed or cancelled switch, so that no later batch switches behind
   * the runtime's back and the old generation is fed again. True when the database did switch
   * after all (a commit whose acknowledgement was lost): the new runner then carries on.
   */
  private async standDown(): Promise<boolean> {
    this.runner.hooks = {};
    await this.runner.stop();
    const state = await generationState(this.options.db, this.options.generation).catch(() => undefined);
    if (state === 'live') {
      this.runner.start();
      return true;
    }
    this.runner.live = false;
    this.options.previous?.runner?.start();
    return false;
  }

  private markCancelled(): void {
    this.phase = 'cancelled';
  }

  /** Switches inside `tx` if the new generation has caught up with the old; true once switched. */
  private async trySwitch(tx: Sql): Promise<boolean> {
    const { projection, generation, previous } = this.options;
    if ((await generationState(tx, generation)) === 'live') return true;
    await tx.query('SAVEPOINT projection_switch');
    if (previous) {
      // Waits for the old generation's in-flight batch; its later batches then see it retired.
      await tx.query(
        `UPDATE ${RUNTIME_SCHEMA}.generations SET state = 'retired', retired_at = now()
          WHERE projection = $1 AND generation = $2 AND state = 'live'`,
        [projection.name, previous.generation.generation],
      );
      if (!(await covers(tx, generation, previous.generation))) {
        await tx.query('ROLLBACK TO SAVEPOINT projection_switch');
        return false;
      }
    }
    await tx.query(`UPDATE ${RUNTIME_SCHEMA}.generations SET state = 'live', live_since = now() WHERE projection = $1 AND generation = $2`, [
      projection.name,
      generation.generation,
    ]);
    await pointViewsAt(tx, projection as Projection, generation.schemaName);
    await tx.query('RELEASE SAVEPOINT projection_switch');
    return true;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
