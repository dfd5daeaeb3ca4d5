import { performance } from 'node:perf_hooks';
import { Client } from 'pg';

/** The two projections the timeline API reads. */
export const TIMELINE_PROJECTIONS = ['timeline', 'customer-profiles'] as const;

export interface LagSample {
  readonly at: number;
  readonly head: number;
  /** Events the slower timeline projection has not applied yet. */
  readonly events: number;
  /** Age of the oldest event the slower timeline projection has not applied yet, s. */
  readonly seconds: number;
}

export interface LagFigures {
  readonly samples: number;
  readonly p99Events: number;
  readonly p99Seconds: number;
  readonly maxEvents: number;
}

/**
 * Polls the platform's database from outside: store head against the live checkpoints of the
 * timeline projections, every `intervalMs`. Measures what a reader would see, nothing inside.
 */
export class LagSampler {
  private readonly samples: LagSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  private constructor(private readonly client: Client) {}

  static async connect(databaseUrl: string): Promise<LagSampler> {
    const client = new Client({ connectionString: databaseUrl });
    client.on('error', () => undefined);
    await client.connect();
    return new LagSampler(client);
  }

  async sample(): Promise<LagSample> {
    const { rows } = await this.client.query<{ head: string; behind: string | null; oldest: number | null }>(
      `WITH head AS (SELECT coalesce(max(position), 0) AS head FROM rapport_events.events),
            slowest AS (
              SELECT coalesce(min(c.position), 0) AS position
                FROM rapport_projections.generations g
                LEFT JOIN rapport_projections.checkpoints c USING (projection, generation)
               WHERE g.state = 'live' AND g.projection = ANY ($1))
       SELECT head.head, head.head - slowest.position AS behind,
              (SELECT extract(epoch FROM clock_timestamp() - e.recorded_at)::float8
                 FROM rapport_events.events e WHERE e.position > slowest.position ORDER BY e.position LIMIT 1) AS oldest
         FROM head, slowest`,
      [TIMELINE_PROJECTIONS],
    );
    const [row] = rows;
    return { at: performance.now(), head: Number(row.head), events: Math.max(0, Number(row.behind ?? 0)), seconds: Math.max(0, row.oldest ?? 0) };
  }

  start(intervalMs = 100): void {
    this.samples.length = 0;
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.sample()
        .then((sample) => this.samples.push(sample))
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, intervalMs);
  }

  stop(): LagFigures {
    clearInterval(this.timer);
    const events = this.samples.map((sample) => sample.events).sort((a, b) => a - b);
    const seconds = this.samples.map((sample) => sample.seconds).sort((a, b) => a - b);
    const p99 = (sorted: number[]) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))]);
    return { samples: this.samples.length, p99Events: p99(events), p99Seconds: p99(seconds), maxEvents: events[events.length - 1] ?? 0 };
  }

  /** Waits until the timeline projections have applied everything stored; returns how long that took, ms. */
  async drained(timeoutMs: number): Promise<{ ms: number; behindAtStart: number }> {
    const started = performance.now();
    const first = await this.sample();
    let sample = first;
    while (sample.events > 0) {
      if (performance.now() - started > timeoutMs) throw new Error(`the timeline projections were still ${sample.events} events behind after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      sample = await this.sample();
    }
    return { ms: performance.now() - started, behindAtStart: first.events };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.client.end().catch(() => undefined);
  }
}
