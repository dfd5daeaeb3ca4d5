import {
  Counter,
  Histogram,
  Gauge,
  collectDefaultMetrics,
  register,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';

let defaultsCollected = false;

/**
 * The process-wide Prometheus registry. Metric factories are get-or-create, because in
 * embedded mode (and in tests) several modules or apps share one process and one registry.
 */
export const metrics = {
  registry: register,

  counter<Label extends string>(config: CounterConfiguration<Label>): Counter<Label> {
    return (register.getSingleMetric(config.name) as Counter<Label> | undefined) ?? new Counter(config);
  },

  histogram<Label extends string>(config: HistogramConfiguration<Label>): Histogram<Label> {
    return (register.getSingleMetric(config.name) as Histogram<Label> | undefined) ?? new Histogram(config);
  },

  gauge<Label extends string>(config: GaugeConfiguration<Label>): Gauge<Label> {
    return (register.getSingleMetric(config.name) as Gauge<Label> | undefined) ?? new Gauge(config);
  },

  /** Process metrics (CPU, memory, event loop lag, GC); safe to call more than once. */
  collectDefaults(): void {
    if (defaultsCollected) return;
    defaultsCollected = true;
    collectDefaultMetrics({ register });
  },

  /** Text exposition format, the body of GET /metrics. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: register.contentType, body: await register.metrics() };
  },
};

export const httpMetrics = {
  requests: () =>
    metrics.counter({ name: 'http_requests_total', help: 'HTTP requests handled', labelNames: ['route', 'method', 'status'] as const }),
  duration: () =>
    metrics.histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration from arrival to response',
      labelNames: ['route', 'method', 'status'] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
};
