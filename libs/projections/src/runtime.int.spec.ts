import { ProjectionRuntime } from './runtime';
import { storeSource } from './store-source';
import { tallyProjection, useTallyDatabase, type StreamTallies } from './tally.fixture';

describe('projection runtime', () => {
  const t = useTallyDatabase('projections');
  const { append, streams } = t;

  const expectedFromStore = async (): Promise<StreamTallies> => {
    const all = await t.store.readAll();
    const expected: StreamTallies = {};
    for (const event of all.filter((e) => e.type === 'Counted')) {
      const entry = (expected[event.streamId] ??= { events: 0, amount: 0 });
      entry.events++;
      entry.amount += (event.data as { amount: number }).amount;
    }
    return expected;
  };

  it('applies each event once, even when the source delivers everything again', async () => {
    await append('s-a', [1, 2, 3]);
    await append('s-b', [10]);
    await append('s-a', [4], 'Ignored');
    const runtime = new ProjectionRuntime({ db: t.db, projections: [tallyProjection()], source: storeSource(t.store, { batchSize: 2 }) });
    await runtime.start();
    await runtime.settled();
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 }, 's-b': { events: 1, amount: 10 } });
    await runtime.stop();

    // Forget the checkpoint: the whole log comes again and must change nothing.
    await t.pool.query(`UPDATE rapport_projections.checkpoints SET checkpoint = NULL`);
    await append('s-b', [5]);
    const again = new ProjectionRuntime({ db: t.db, projections: [tallyProjection()], source: storeSource(t.store) });
    await again.start();
    await again.settled();
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 }, 's-b': { events: 2, amount: 15 } });
    const [status] = await again.status();
    expect(status).toMatchObject({ name: 'tally', generation: 1, lagEvents: 0, parked: 0, state: 'running' });
    expect(status.position).toBe(await t.store.headPosition());
    await again.stop();
  });

  it('parks a poison event, carries on, and applies it on retry once it is fixed', async () => {
    const flags = { poisonFails: true };
    await append('s-a', [1]);
    const [poisoned] = (await append('s-a', [100], 'Poison')).events;
    await append('s-a', [2]);
    await append('s-b', [7]);
    const runtime = new ProjectionRuntime({ db: t.db, projections: [tallyProjection(1, flags)], source: storeSource(t.store) });
    await runtime.start();
    await runtime.settled();

    expect(await streams()).toEqual({ 's-a': { events: 2, amount: 3 }, 's-b': { events: 1, amount: 7 } });
    const parked = await runtime.parked('tally');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ eventId: poisoned.id, type: 'Poison', streamId: 's-a', attempts: 1 });
    expect(parked[0].error).toContain('poison pill');
    expect((await runtime.status('tally'))[0].parked).toBe(1);

    const failing = await runtime.retry('tally', 'all');
    expect(failing).toMatchObject({ retried: 1, applied: [] });
    expect((await runtime.parked('tally'))[0].attempts).toBe(2);

    flags.poisonFails = false;
    const fixed = await runtime.retry('tally', poisoned.id);
    expect(fixed).toMatchObject({ retried: 1, applied: [poisoned.id], stillFailing: [] });
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 103 }, 's-b': { events: 1, amount: 7 } });
    expect(await runtime.parked('tally')).toEqual([]);
    await runtime.stop();
  });

  it('rebuilds beside the live generation while events arrive, never showing readers less', async () => {
    for (let i = 0; i < 40; i++) await append(`s-${i % 7}`, [i, i + 1, i + 2]);
    const runtime = new ProjectionRuntime({ db: t.db, projections: [tallyProjection()], source: storeSource(t.store, { batchSize: 25 }) });
    await runtime.start();
    await runtime.settled();

    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) await append(`s-${i % 11}`, [1]);
    })();
    let lastTotal = 0;
    let shrank = false;
    const reader = (async () => {
      while (writing) {
        const total = Object.values(await streams()).reduce((sum, s) => sum + s.events, 0);
        if (total < lastTotal) shrank = true;
        lastTotal = total;
      }
    })();

    const started = await runtime.rebuild('tally');
    expect(started.rebuild).toMatchObject({ generation: 2, version: 1 });
    await runtime.rebuildFinished('tally');
    writing = false;
    await Promise.all([writer, reader]);
    await runtime.settled();

    expect(shrank).toBe(false);
    const [status] = await runtime.status();
    expect(status).toMatchObject({ generation: 2, rebuild: null, state: 'running' });
    expect(await streams()).toEqual(await expectedFromStore());
    const { rows } = await t.pool.query(`SELECT nspname FROM pg_namespace WHERE nspname = 'tally_g1'`);
    expect(rows).toEqual([]);

    const report = await runtime.verify('tally');
    expect(report.equal).toBe(true);
    expect(report.live.tables[0].rows).toBe(11);
    expect(report.scratch.hash).toBe(report.live.hash);
    await runtime.stop();
  });

  it('reports different hashes when a projection is not deterministic', async () => {
    await append('s-a', [1, 2]);
    const runtime = new ProjectionRuntime({ db: t.db, projections: [tallyProjection(1, { poisonFails: false, random: true })], source: storeSource(t.store) });
    await runtime.start();
    await runtime.settled();
    const report = await runtime.verify('tally');
    expect(report.equal).toBe(false);
    expect(report.differences).toEqual(['streams']);
    await runtime.stop();
  });

  it('rebuilds on start when the projection version was bumped, keeping the old tables readable until the switch', async () => {
    await append('s-a', [1, 2]);
    const v1 = new ProjectionRuntime({ db: t.db, projections: [tallyProjection(1)], source: storeSource(t.store) });
    await v1.start();
    await v1.settled();
    await v1.stop();
    await append('s-a', [3]);

    const v2 = new ProjectionRuntime({ db: t.db, projections: [tallyProjection(2)], source: storeSource(t.store) });
    await v2.start();
    const [during] = await v2.status();
    expect(during).toMatchObject({ version: 1, generation: 1 });
    expect(during.rebuild).toMatchObject({ version: 2, generation: 2 });
    await v2.rebuildFinished('tally');
    await v2.settled();
    expect(await streams()).toEqual({ 's-a': { events: 3, amount: 6 } });
    expect((await v2.status())[0]).toMatchObject({ version: 2, generation: 2, state: 'running' });
    await v2.stop();
  });
});
