import { ProjectionRuntime } from './runtime';
import type { EventSource } from './source';
import { storeSource } from './store-source';
import { tallyProjection, useTallyDatabase } from './tally.fixture';

describe('projection rebuild switch-over', () => {
  const t = useTallyDatabase('projection_rebuild');
  const { append, streams } = t;

  const eventually = async (check: () => Promise<boolean>, what: string): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const schemaExists = async (name: string) => (await t.pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name])).rowCount === 1;

  /** A view someone built on the projection's view makes replacing it with other column types fail for good. */
  async function failedRebuild(): Promise<{ runtime: ProjectionRuntime }> {
    await append('s-a', [1, 2]);
    const flags = { amountType: 'bigint' };
    const runtime = new ProjectionRuntime({ db: t.db, projections: [tallyProjection(1, flags)], source: storeSource(t.store) });
    await runtime.start();
    await runtime.settled();
    await t.pool.query('CREATE VIEW public.tally_report AS SELECT stream_id, amount FROM tally.streams');
    flags.amountType = 'numeric';
    await runtime.rebuild('tally');
    await runtime.rebuildFinished('tally');
    return { runtime };
  }

  it('keeps feeding the old generation after a switch that failed, and rebuilds cleanly afterwards', async () => {
    const { runtime } = await failedRebuild();
    const [failed] = await runtime.status();
    expect(failed).toMatchObject({ generation: 1, state: 'running', rebuild: { generation: 2, phase: 'failed' } });
    expect(failed.rebuild?.error).toContain('depend');

    await append('s-a', [3]);
    await eventually(async () => (await streams())['s-a']?.events === 3, 'the old generation applied the new event');
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 } });

    await t.pool.query('DROP VIEW public.tally_report');
    await runtime.rebuild('tally');
    await runtime.rebuildFinished('tally');
    await runtime.settled();
    expect((await runtime.status())[0]).toMatchObject({ generation: 3, state: 'running', rebuild: null });
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 } });
    const { rows } = await t.pool.query(`SELECT generation, state FROM rapport_projections.generations ORDER BY generation`);
    expect(rows).toEqual([
      { generation: 1, state: 'retired' },
      { generation: 2, state: 'retired' },
      { generation: 3, state: 'live' },
    ]);
    expect(await schemaExists('tally_g2')).toBe(false);
    await runtime.stop();
  });

  it('adopts rather than drops a failed rebuild the database made live after all', async () => {
    const { runtime } = await failedRebuild();
    // As if the switch had committed but its acknowledgement was lost.
    await t.db.transaction(async (tx) => {
      await tx.query(`UPDATE rapport_projections.generations SET state = 'retired', retired_at = now() WHERE projection = 'tally' AND generation = 1`);
      await tx.query(`UPDATE rapport_projections.generations SET state = 'live', live_since = now() WHERE projection = 'tally' AND generation = 2`);
      await tx.query('DROP VIEW public.tally_report');
      await tx.query('DROP VIEW tally.streams');
      await tx.query('CREATE VIEW tally.streams AS SELECT * FROM tally_g2.streams');
    });

    const started = await runtime.rebuild('tally');
    expect(started).toMatchObject({ generation: 2, rebuild: { generation: 3 } });
    expect(await schemaExists('tally_g2')).toBe(true);
    expect(await schemaExists('tally_g1')).toBe(false);
    await runtime.rebuildFinished('tally');
    await append('s-b', [5]);
    await runtime.settled();
    expect((await runtime.status())[0]).toMatchObject({ generation: 3, state: 'running' });
    expect(await streams()).toEqual({ 's-a': { events: 2, amount: 3 }, 's-b': { events: 1, amount: 5 } });
    await runtime.stop();
  });

  it('feeds the rebuilt generation from the live source, not the replay source, once it switched', async () => {
    await append('s-a', [1, 2]);
    const base = storeSource(t.store);
    const viaLive: string[] = [];
    const live: EventSource = {
      name: 'live',
      headPosition: () => base.headPosition(),
      start: (handler) =>
        base.start({
          ...handler,
          checkpointFor: (partition) => handler.checkpointFor(partition),
          apply: async (batch) => {
            await handler.apply(batch);
            viaLive.push(...batch.events.map((event) => event.id));
          },
        }),
    };
    const runtime = new ProjectionRuntime({ db: t.db, projections: [tallyProjection()], source: live, replaySource: storeSource(t.store) });
    await runtime.start();
    await runtime.settled();
    await runtime.rebuild('tally');
    await runtime.rebuildFinished('tally');

    const [late] = (await append('s-a', [3])).events;
    await runtime.settled();
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 } });
    expect((await runtime.status())[0]).toMatchObject({ generation: 2, state: 'running' });
    expect(viaLive).toContain(late.id);
    await runtime.stop();
  });
});
