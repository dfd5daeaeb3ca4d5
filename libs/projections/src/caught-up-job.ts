import type { RunnerLogger } from './runner';
import type { ProjectionRuntime } from './runtime';

export interface CaughtUpJob {
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `work` every `intervalMs`, but only while `projection` has caught up with its source,
 * so what it decides comes after every fact before it; a run still going when the next tick
 * comes is not doubled. An interval of 0 runs nothing. A failed run is logged as `what` and
 * tried again at the next tick.
 */
export function everyWhenCaughtUp(
  runtime: ProjectionRuntime,
  projection: string,
  intervalMs: number,
  what: string,
  work: () => Promise<unknown>,
  logger?: RunnerLogger,
): CaughtUpJob {
  let running: Promise<unknown> | undefined;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (running) return;
          running = (async () => {
            const [status] = await runtime.status(projection);
            if (status?.caughtUp) await work();
          })()
            .catch((error: unknown) => logger?.warn({ err: error }, `${what} failed`))
            .finally(() => (running = undefined));
        }, intervalMs)
      : undefined;
  timer?.unref();
  return {
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
