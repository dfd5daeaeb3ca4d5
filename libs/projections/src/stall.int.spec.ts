import { metrics } from '@rapport/platform';
import type { RunnerLogger } from './runner';
import { ProjectionRuntime } from './runtime';
import { storeSource } from './store-source';
import { tallyProjection, useTallyDatabase } from './tally.fixture';

describe('a feed stalled by an open transaction', () => {
  const t = useTallyDatabase('projection_stall');
  const { append, streams } = t;

  const eventually = async (check: () => Promise<boolean> | boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const stalledGauge = async (): Promise<number | undefined> => {
    const { values } = (await metrics.registry.getSingleMetric('rapport_subscription_stalled_seconds')?.get()) ?? { values: [] };
    return values.find((value) => value.labels.projection === 'tally')?.value;
  };

  it('shows in status and rapport_subscription_stalled_seconds, and a warning names the blocking backend', async () => {
    const warnings: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const logger: RunnerLogger = { warn: (fields, message) => warnings.push({ fields, message }), error: () => undefined };
    await append('s-a', [1]);
    const runtime = new ProjectionRuntime({ db: t.db, projections: [tallyProjection()], source: storeSource(t.store), logger });
    await runtime.start();
    await runtime.settled();

    const held = await t.pool.connect();
    try {
      await held.query('BEGIN');
      await held.query('SELECT pg_current_xact_id()');
      const [{ pid }] = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
      await append('s-a', [2]);
      await eventually(() => warnings.some((warning) => warning.message.includes('stalled')), 'a stall warning');
      const [warning] = warnings.filter((entry) => entry.message.includes('stalled'));
      expect(warning.message).toContain(`backend pid ${pid}`);
      expect(warning.message).toContain('idle in transaction');
      expect(warning.message).toContain('idle_in_transaction_session_timeout');
      expect(warning.fields).toMatchObject({ projection: 'tally', blockingPid: pid, blockingState: 'idle in transaction' });
      const [status] = await runtime.status();
      expect(status.stalledSeconds).toBeGreaterThan(0);
      expect(status.lagEvents).toBe(1);
      await eventually(async () => ((await stalledGauge()) ?? 0) > 0, 'the gauge shows the stall');
      expect(await streams()).toEqual({ 's-a': { events: 1, amount: 1 } });
    } finally {
      await held.query('COMMIT');
      held.release();
    }

    await runtime.settled();
    expect(await streams()).toEqual({ 's-a': { events: 2, amount: 3 } });
    expect((await runtime.status())[0].stalledSeconds).toBe(0);
    await eventually(async () => (await stalledGauge()) === 0, 'the gauge is back to 0');
    expect(warnings.filter((entry) => entry.message.includes('stalled'))).toHaveLength(1);
    await runtime.stop();
  });

  it('runs on an embedded cluster that ends sessions left idle in a transaction after a minute', async () => {
    const { rows } = await t.pool.query<{ idle_in_transaction_session_timeout: string }>('SHOW idle_in_transaction_session_timeout');
    expect(rows[0].idle_in_transaction_session_timeout).toBe('1min');
  });
});
