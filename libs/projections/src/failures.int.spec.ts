import { metrics } from '@rapport/platform';
import type { Projection } from './projection';
import type { RunnerLogger } from './runner';
import { ProjectionRuntime } from './runtime';
import { storeSource } from './store-source';
import { tallyProjection, useTallyDatabase } from './tally.fixture';

describe('projection failures: park one event, stop on a code or schema error', () => {
  const t = useTallyDatabase('projection_failures');
  const { append, streams } = t;

  const recorded: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const logger: RunnerLogger = {
    warn: (fields, message) => recorded.push({ level: 'warn', message, fields }),
    error: (fields, message) => recorded.push({ level: 'error', message, fields }),
  };
  beforeEach(() => recorded.splice(0));

  const eventually = async (check: () => Promise<boolean>, what: string): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  /** The tally projection with `apply` replaced: every event goes through `apply` in turn. */
  const withApply = (apply: Projection['apply']): Projection => ({ ...(tallyProjection() as Projection), apply });

  const metricValue = async (name: string, projection = 'tally'): Promise<number | undefined> => {
    const metric = metrics.registry.getSingleMetric(name);
    const { values } = (await metric?.get()) ?? { values: [] };
    return values.find((value) => value.labels.projection === projection)?.value;
  };

  async function failedRuntime(projection: Projection): Promise<ProjectionRuntime> {
    await append('s-a', [1, 2]);
    await append('s-b', [3]);
    const runtime = new ProjectionRuntime({ db: t.db, projections: [projection], source: storeSource(t.store), logger });
    await runtime.start();
    await eventually(async () => (await runtime.status())[0].state === 'failed', 'the projection failed');
    return runtime;
  }

  it('stops on a schema error (SQLSTATE 42) instead of parking the whole log, and says so in status and metrics', async () => {
    const runtime = await failedRuntime(
      withApply(async ({ tx, schema }) => {
        await tx.query(`INSERT INTO ${schema}.no_such_table VALUES (1)`);
      }),
    );
    const [status] = await runtime.status();
    expect(status).toMatchObject({ state: 'failed', parked: 0, position: 0, lagEvents: 3 });
    expect(status.lastError).toContain('no_such_table');
    expect(await runtime.parked('tally')).toEqual([]);
    const { rows } = await t.pool.query(`SELECT count(*)::int AS n FROM rapport_projections.checkpoints WHERE position > 0`);
    expect(rows[0].n).toBe(0);

    const errors = recorded.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('projection failed');
    expect(errors[0].fields).toMatchObject({ projection: 'tally', err: expect.objectContaining({ code: '42P01' }) });
    expect(recorded.filter((entry) => entry.message.includes('retrying'))).toEqual([]);
    expect(await metricValue('rapport_projection_failed')).toBe(1);
    expect(await metricValue('rapport_projection_failures_total')).toBeGreaterThanOrEqual(1);
    await expect(runtime.settled(1000)).rejects.toThrow('projection tally failed');
    await runtime.stop();

    // Fixed and restarted, it carries on from where it stopped; nothing was lost.
    const fixed = new ProjectionRuntime({ db: t.db, projections: [tallyProjection()], source: storeSource(t.store) });
    await fixed.start();
    await fixed.settled();
    expect(await streams()).toEqual({ 's-a': { events: 2, amount: 3 }, 's-b': { events: 1, amount: 3 } });
    expect((await fixed.status())[0]).toMatchObject({ state: 'running', parked: 0 });
    // The gauges read one status snapshot per second; the next one is the fixed runtime's.
    await eventually(async () => (await metricValue('rapport_projection_failed')) === 0, 'the failed gauge is back to 0');
    await fixed.stop();
  });

  it('stops on a bug in the projection code (a TypeError)', async () => {
    const runtime = await failedRuntime(
      withApply(async (_context, events) => {
        (events as unknown as Array<{ missing: { field: number } }>).forEach((event) => event.missing.field);
      }),
    );
    const [status] = await runtime.status();
    expect(status).toMatchObject({ state: 'failed', parked: 0, position: 0 });
    expect(status.lastError).toContain('TypeError');
    await runtime.stop();
  });

  it('parks only the event whose data the read model rejects (SQLSTATE 22) and applies the rest', async () => {
    await append('s-a', [1]);
    const [tooBig] = (await append('s-a', [100_000])).events;
    await append('s-b', [7]);
    const runtime = new ProjectionRuntime({
      db: t.db,
      projections: [tallyProjection(1, { amountType: 'smallint' })],
      source: storeSource(t.store),
      logger,
    });
    await runtime.start();
    await runtime.settled();
    expect(await streams()).toEqual({ 's-a': { events: 1, amount: 1 }, 's-b': { events: 1, amount: 7 } });
    const parked = await runtime.parked('tally');
    expect(parked.map((event) => event.eventId)).toEqual([tooBig.id]);
    expect(parked[0].error).toContain('out of range');
    expect((await runtime.status())[0]).toMatchObject({ state: 'running', parked: 1, lastError: null });
    await runtime.stop();
  });
});
