import type { Projection } from './projection';
import { ProjectionRuntime } from './runtime';
import { storeSource } from './store-source';
import { tallyProjection, useTallyDatabase } from './tally.fixture';

describe('retrying parked events', () => {
  const t = useTallyDatabase('projection_parked');
  const { append, streams } = t;

  it('retries all of them in transactions of at most 100 events, so that no one transaction pauses the store feed for long', async () => {
    const flags = { poisonFails: true };
    const transactionOfEvent: string[] = [];
    const tally = tallyProjection(1, flags);
    const projection: Projection = {
      ...(tally as Projection),
      async apply(context, events) {
        if (!flags.poisonFails) {
          const [{ tx }] = await context.tx.query<{ tx: string }>('SELECT pg_current_xact_id()::text AS tx');
          for (const _ of events) transactionOfEvent.push(tx);
        }
        await tally.apply(context, events as Parameters<typeof tally.apply>[1]);
      },
    };
    for (let i = 0; i < 5; i++) await append(`s-${i}`, Array.from({ length: 50 }, () => 1), 'Poison');
    const runtime = new ProjectionRuntime({ db: t.db, projections: [projection], source: storeSource(t.store) });
    await runtime.start();
    await runtime.settled();
    expect((await runtime.status())[0].parked).toBe(250);

    flags.poisonFails = false;
    const report = await runtime.retry('tally', 'all');
    expect(report).toMatchObject({ retried: 250, stillFailing: [] });
    expect(report.applied).toHaveLength(250);
    const perTransaction = new Map<string, number>();
    for (const tx of transactionOfEvent) perTransaction.set(tx, (perTransaction.get(tx) ?? 0) + 1);
    expect([...perTransaction.values()]).toEqual([100, 100, 50]);
    expect(Object.values(await streams()).map((stream) => stream.events)).toEqual([50, 50, 50, 50, 50]);
    expect((await runtime.status())[0].parked).toBe(0);
    await runtime.stop();
  });
});
