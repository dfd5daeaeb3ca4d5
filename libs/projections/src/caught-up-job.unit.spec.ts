import { everyWhenCaughtUp } from './caught-up-job';
import type { ProjectionRuntime } from './runtime';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('everyWhenCaughtUp', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate'] }));
  afterEach(() => jest.useRealTimers());

  function runtime(caughtUp: () => boolean) {
    const asked: string[] = [];
    const fake = { status: async (name: string) => (asked.push(name), [{ caughtUp: caughtUp() }]) } as unknown as ProjectionRuntime;
    return { fake, asked };
  }

  it('runs only while the projection has caught up, and never two runs at once', async () => {
    let caughtUp = false;
    const { fake, asked } = runtime(() => caughtUp);
    let runs = 0;
    let release!: () => void;
    const job = everyWhenCaughtUp(fake, 'orders', 1000, 'test job', () => {
      runs++;
      return new Promise<void>((resolve) => (release = resolve));
    });

    jest.advanceTimersByTime(1000);
    await tick();
    expect(asked).toEqual(['orders']);
    expect(runs).toBe(0);

    caughtUp = true;
    jest.advanceTimersByTime(1000);
    await tick();
    expect(runs).toBe(1);
    jest.advanceTimersByTime(3000);
    await tick();
    expect(runs).toBe(1);

    release();
    await tick();
    jest.advanceTimersByTime(1000);
    await tick();
    expect(runs).toBe(2);
    release();
    await job.stop();
    jest.advanceTimersByTime(5000);
    await tick();
    expect(runs).toBe(2);
  });

  it('logs a failed run and tries again at the next tick', async () => {
    const { fake } = runtime(() => true);
    const warnings: string[] = [];
    let runs = 0;
    const job = everyWhenCaughtUp(fake, 'orders', 1000, 'test job', async () => {
      runs++;
      throw new Error('boom');
    }, { warn: (_fields, message) => warnings.push(message), error: () => undefined });
    jest.advanceTimersByTime(1000);
    await tick();
    jest.advanceTimersByTime(1000);
    await tick();
    expect(runs).toBe(2);
    expect(warnings).toEqual(['test job failed', 'test job failed']);
    await job.stop();
  });

  it('runs nothing with an interval of 0', async () => {
    const { fake, asked } = runtime(() => true);
    const job = everyWhenCaughtUp(fake, 'orders', 0, 'test job', async () => undefined);
    jest.advanceTimersByTime(60_000);
    await tick();
    expect(asked).toEqual([]);
    await job.stop();
  });
});
