import { metrics } from '@rapport/platform';
import { allRuntimes } from './directory';
import type { ProjectionRuntime } from './runtime';

/** Counters fed by runners; `build` is the generation's state (live, building, scratch). */
export function projectionMetrics() {
  const labelNames = ['projection', 'build'] as const;
  return {
    applied: metrics.counter({ name: 'rapport_projection_events_applied_total', help: 'Events applied to read models', labelNames }),
    parked: metrics.counter({ name: 'rapport_projection_events_parked_total', help: 'Events parked because applying them failed', labelNames }),
    failures: metrics.counter({
      name: 'rapport_projection_failures_total',
      help: 'Times a projection stopped because its code or schema is wrong (not one event)',
      labelNames,
    }),
    duplicates: metrics.counter({
      name: 'rapport_projection_events_redelivered_total',
      help: 'Events delivered again and dropped as already applied',
      labelNames,
    }),
    batchSeconds: metrics.histogram({
      name: 'rapport_projection_batch_duration_seconds',
      help: 'Time to apply and commit one batch',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
  };
}

type Status = Awaited<ReturnType<ProjectionRuntime['status']>>[number];

/** Gauges read from every runtime's status when Prometheus scrapes. */
export function registerStatusGauges(): void {
  // A scrape collects the gauges concurrently; they share one status read.
  let snapshot: { at: number; statuses: Promise<Status[]> } | undefined;
  const statuses = (): Promise<Status[]> => {
    if (!snapshot || Date.now() - snapshot.at > 1000) {
      const read = Promise.all(allRuntimes().map((runtime) => runtime.status().catch(() => []))).then((all) => all.flat());
      snapshot = { at: Date.now(), statuses: read };
    }
    return snapshot.statuses;
  };
  const gauge = (name: string, help: string, value: (status: Status) => number) =>
    metrics.gauge({
      name,
      help,
      labelNames: ['projection'] as const,
      async collect() {
        for (const status of await statuses()) this.set({ projection: status.name }, value(status));
      },
    });
  gauge('rapport_projection_position', 'Global position of the last applied event', (status) => status.position);
  gauge('rapport_projection_lag_events', 'Events stored but not yet applied', (status) => status.lagEvents ?? 0);
  gauge('rapport_projection_lag_seconds', 'Age of the last applied event while behind, else 0', (status) => status.lagSeconds ?? 0);
  gauge('rapport_projection_events_per_second', 'Events applied per second over the last ten seconds', (status) => status.eventsPerSecond);
  gauge('rapport_projection_parked_events', 'Events currently parked', (status) => status.parked);
  gauge(
    'rapport_subscription_stalled_seconds',
    'How long committed events have waited for an older open transaction to end (PostgreSQL xmin); 0 when they flow',
    (status) => status.stalledSeconds,
  );
  gauge('rapport_projection_failed', '1 while the projection is stopped by a fatal failure, else 0', (status) => (status.state === 'failed' ? 1 : 0));
}
