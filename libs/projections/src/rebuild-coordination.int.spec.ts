import type { Projection } from './projection';
import { ProjectionRuntime, type ProjectionStatus } from './runtime';
import { storeSource } from './store-source';
import { tallyProjection, useTallyDatabase } from './tally.fixture';

// Two runtimes on one database stand for two pods of one service.
describe('rebuilds across processes sharing one database', () => {
  const t = useTallyDatabase('projection_rebuild_pods');
  const { append, streams } = t;
  const pods: ProjectionRuntime[] = [];

  afterEach(async () => {
    await Promise.all(pods.splice(0).map((pod) => pod.stop()));
  });

  function pod(projection: Projection = tallyProjection()): ProjectionRuntime {
    const runtime = new ProjectionRuntime({ db: t.db, projections: [projection], source: storeSource(t.store), followIntervalMs: 20 });
    pods.push(runtime);
    return runtime;
  }

  async function statusOf(runtime: ProjectionRuntime): Promise<ProjectionStatus> {
    return (await runtime.status('tally'))[0];
  }

  const eventually = async (check: () => Promise<boolean>, what: string): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  const onGeneration = (runtime: ProjectionRuntime, generation: number) => async () => {
    const status = await statusOf(runtime);
    return status.generation === generation && status.state === 'running' && status.rebuild === null;
  };

  async function catalog(): Promise<{ generation: number; version: number; state: string }[]> {
    const { rows } = await t.pool.query(`SELECT generation, version, state FROM rapport_projections.generations WHERE projection = 'tally' ORDER BY generation`);
    return rows;
  }

  /** Stops `stopped` and shows that `survivor` alone still feeds the read model. */
  async function survivorFeeds(stopped: ProjectionRuntime, survivor: ProjectionRuntime, expected: Record<string, { events: number; amount: number }>) {
    await stopped.stop();
    await append('s-a', [10]);
    await survivor.settled();
    expect(await streams()).toEqual(expected);
  }

  it('lets two pods that start together on an empty database share one live generation', async () => {
    await append('s-a', [1]);
    const [one, two] = [pod(), pod()];
    await Promise.all([one.start(), two.start()]);
    await Promise.all([one.settled(), two.settled()]);
    expect(await catalog()).toEqual([{ generation: 1, version: 1, state: 'live' }]);
    expect(await streams()).toEqual({ 's-a': { events: 1, amount: 1 } });
  });

  it('builds a bumped version once when several pods start with it, and every pod ends on it', async () => {
    await append('s-a', [1, 2]);
    const old = pod(tallyProjection(1));
    await old.start();
    await old.settled();
    await old.stop();

    const [one, two] = [pod(tallyProjection(2)), pod(tallyProjection(2))];
    await Promise.all([one.start(), two.start()]);
    await eventually(onGeneration(one, 2), 'the first pod runs generation 2');
    await eventually(onGeneration(two, 2), 'the second pod runs generation 2');
    expect(await catalog()).toEqual([
      { generation: 1, version: 1, state: 'retired' },
      { generation: 2, version: 2, state: 'live' },
    ]);

    // Whichever pod lost the race feeds the live generation on its own once the other is gone.
    await survivorFeeds(one, two, { 's-a': { events: 3, amount: 13 } });
  });

  /** Holds every batch back (SHARE mode blocks their checkpoint writes, not readers), so a rebuild cannot finish meanwhile. */
  async function holdingBatches<T>(work: () => Promise<T>): Promise<T> {
    const blocker = await t.pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE rapport_projections.checkpoints IN SHARE MODE');
      return await work();
    } finally {
      await blocker.query('ROLLBACK');
      blocker.release();
    }
  }

  it('moves every pod to the generation one pod rebuilt, and lets only one rebuild at a time', async () => {
    await append('s-a', [1, 2]);
    const [one, two] = [pod(), pod()];
    await one.start();
    await two.start();
    await Promise.all([one.settled(), two.settled()]);

    await holdingBatches(async () => {
      await one.rebuild('tally');
      await expect(two.rebuild('tally')).rejects.toThrow('being rebuilt by another process');
    });
    await one.rebuildFinished('tally');
    await eventually(onGeneration(one, 2), 'the builder runs generation 2');
    await eventually(onGeneration(two, 2), 'the other pod follows to generation 2');
    expect(await catalog()).toEqual([
      { generation: 1, version: 1, state: 'retired' },
      { generation: 2, version: 1, state: 'live' },
    ]);
    await survivorFeeds(one, two, { 's-a': { events: 3, amount: 13 } });
  });

  it('carries on a rebuild whose pod stopped half way', async () => {
    await append('s-a', [1, 2]);
    const [one, two] = [pod(), pod()];
    await one.start();
    await two.start();
    await Promise.all([one.settled(), two.settled()]);
    let stopped: Promise<void> | undefined;
    await holdingBatches(async () => {
      await one.rebuild('tally');
      stopped = one.stop();
      await eventually(async () => (await statusOf(one)).rebuild?.phase === 'cancelled', 'the first pod to give up its rebuild');
    });
    await stopped;

    await eventually(onGeneration(two, 2), 'the remaining pod finishes the rebuild and runs generation 2');
    expect(await catalog()).toEqual([
      { generation: 1, version: 1, state: 'retired' },
      { generation: 2, version: 1, state: 'live' },
    ]);
    await append('s-b', [4]);
    await two.settled();
    expect(await streams()).toEqual({ 's-a': { events: 2, amount: 3 }, 's-b': { events: 1, amount: 4 } });
  });
});
