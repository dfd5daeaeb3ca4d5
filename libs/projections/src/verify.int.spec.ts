import { createGeneration, migrateRuntime } from './catalog';
import { sleep } from './rebuild';
import { GenerationRunner } from './runner';
import { storeSource } from './store-source';
import { tallyProjection, useTallyDatabase } from './tally.fixture';

describe('verify: lining a scratch build up with the live one', () => {
  const t = useTallyDatabase('projection_verify');
  const { append } = t;

  const runUntilCaughtUp = async (runner: GenerationRunner) => {
    runner.start();
    while (!runner.caughtUp) await sleep(10);
    await runner.stop();
  };

  const scratchTallies = async (schema: string) => {
    const { rows } = await t.pool.query<{ stream_id: string; events: number }>(`SELECT stream_id, events FROM "${schema}".streams ORDER BY 1`);
    return Object.fromEntries(rows.map((row) => [row.stream_id, row.events]));
  };

  it('does not move the checkpoint past events the accept hook passed over, so a later run applies them', async () => {
    await append('s-a', [1, 2]);
    await append('s-b', [3]);
    const [cutoff] = (await append('s-a', [4])).events;
    await append('s-b', [5]);
    await append('s-c', [6]);
    await migrateRuntime(t.db);
    const scratch = await createGeneration(t.db, tallyProjection(), 'scratch');
    const runner = new GenerationRunner({ db: t.db, projection: tallyProjection(), generation: scratch, source: storeSource(t.store), live: false });

    // What verify does while the live generation has applied everything up to `cutoff`'s predecessor.
    runner.hooks = { accept: (event) => event.position < cutoff.position };
    await runUntilCaughtUp(runner);
    expect(await scratchTallies(scratch.schemaName)).toEqual({ 's-a': 2, 's-b': 1 });

    // The next attempt runs without the hook and must get the passed-over events.
    runner.hooks = {};
    await runUntilCaughtUp(runner);
    expect(await scratchTallies(scratch.schemaName)).toEqual({ 's-a': 3, 's-b': 2, 's-c': 1 });
    const { rows } = await t.pool.query(`SELECT position FROM rapport_projections.checkpoints WHERE generation = $1`, [scratch.generation]);
    expect(rows.map((row) => Number(row.position))).toEqual([await t.store.headPosition()]);
  });
});
