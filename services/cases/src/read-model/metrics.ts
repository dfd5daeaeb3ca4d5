import type { Database } from '@rapport/projections';

export const GROUP_BY = ['day', 'week', 'month', 'channel', 'category', 'severity', 'assignee'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** SQL for a group's key; `t` is the instant the row is placed in time by, `c` the case. */
function keyOf(groupBy: GroupBy, t: string): string {
  switch (groupBy) {
    case 'day':
      return `to_char(${t} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    case 'week':
      return `to_char(${t} AT TIME ZONE 'UTC', 'IYYY-"W"IW')`;
    case 'month':
      return `to_char(${t} AT TIME ZONE 'UTC', 'YYYY-MM')`;
    case 'channel':
      return `coalesce(c.channel, 'none')`;
    case 'category':
      return `coalesce(c.category, 'none')`;
    case 'severity':
      return `coalesce(c.severity, 'none')`;
    case 'assignee':
      return `coalesce(c.assignee_id, 'unassigned')`;
    default: {
      const unknown: never = groupBy;
      throw new Error(`unknown grouping ${String(unknown)}`);
    }
  }
}

export interface Percentiles {
  readonly p50: number | null;
  readonly p90: number | null;
}

export interface ClockMetrics {
  readonly measured: number;
  readonly met: number;
  /** Share of measured clocks that met their target, 0–1; null when none was measured. */
  readonly attainment: number | null;
  readonly businessMinutes: Percentiles;
  readonly calendarMinutes: Percentiles;
}

export interface MetricsGroup {
  readonly key: string;
  readonly complaintsOpened: number;
  readonly complaintsResolved: number;
  readonly callbacksRequested: number;
  readonly callbacksCompleted: number;
  /** Cases with at least one SlaBreached on record that was not withdrawn. */
  readonly breachedCases: number;
  /** SlaBreached events on record, less those withdrawn. */
  readonly breaches: number;
  readonly firstResponse: ClockMetrics;
  readonly resolution: ClockMetrics;
  readonly callbackOnTime: { readonly measured: number; readonly met: number; readonly attainment: number | null };
  /** Share of 1–5 ratings that are 4 or 5, as a percentage. */
  readonly csat: { readonly ratings: number; readonly score: number | null };
  /** % promoters (9–10) − % detractors (0–6). */
  readonly nps: { readonly answers: number; readonly score: number | null };
}

const share = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);
const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));

/**
 * Service metrics over cases opened (and feedback given) in [from, to), grouped by one
 * dimension. Only counts, shares and percentiles: no customer field leaves this query.
 */
export async function readMetrics(db: Database, from: string, to: string, groupBy: GroupBy): Promise<{ from: string; to: string; groupBy: GroupBy; groups: MetricsGroup[] }> {
  const clock = (name: 'first_response' | 'resolution') => `
    count(c.${name}_met) AS ${name}_measured, count(*) FILTER (WHERE c.${name}_met) AS ${name}_met,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY c.${name}_business_min) AS ${name}_b50,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY c.${name}_business_min) AS ${name}_b90,
    percentile_cont(0.5) WITHIN GROUP (ORDER BY c.${name}_calendar_min) AS ${name}_c50,
    percentile_cont(0.9) WITHIN GROUP (ORDER BY c.${name}_calendar_min) AS ${name}_c90`;
  const cases = await db.query<Record<string, unknown>>(
    `SELECT ${keyOf(groupBy, 'c.opened_at')} AS key,
            count(*) FILTER (WHERE c.kind = 'complaint') AS complaints_opened,
            count(*) FILTER (WHERE c.kind = 'complaint' AND c.status = 'resolved') AS complaints_resolved,
            count(*) FILTER (WHERE c.kind = 'callback') AS callbacks_requested,
            count(*) FILTER (WHERE c.kind = 'callback' AND c.status = 'completed') AS callbacks_completed,
            count(*) FILTER (WHERE c.breached) AS breached_cases,
            coalesce(sum(jsonb_array_length(c.clocks->'breaches')), 0) AS breaches,
            ${clock('first_response')}, ${clock('resolution')},
            count(c.clocks->'callback'->'met') FILTER (WHERE jsonb_typeof(c.clocks->'callback'->'met') = 'boolean') AS callback_measured,
            count(*) FILTER (WHERE (c.clocks->'callback'->>'met')::boolean) AS callback_met
       FROM cases.cases c
      WHERE c.opened_at >= $1 AND c.opened_at < $2
      GROUP BY 1`,
    [from, to],
  );
  const feedback = await db.query<Record<string, unknown>>(
    `SELECT ${keyOf(groupBy, 'f.occurred_at')} AS key,
            count(f.rating) AS ratings, count(*) FILTER (WHERE f.rating >= 4) AS satisfied,
            count(f.nps) AS answers, count(*) FILTER (WHERE f.nps >= 9) AS promoters, count(*) FILTER (WHERE f.nps <= 6) AS detractors
       FROM cases.feedback f LEFT JOIN cases.cases c ON c.case_id = 'complaint-' || f.complaint_id
      WHERE f.occurred_at >= $1 AND f.occurred_at < $2
      GROUP BY 1`,
    [from, to],
  );
  const keys = [...new Set([...cases, ...feedback].map((row) => String(row.key)))].sort();
  const byKey = (rows: Record<string, unknown>[]) => new Map(rows.map((row) => [String(row.key), row]));
  const caseRows = byKey(cases);
  const feedbackRows = byKey(feedback);
  const clockMetrics = (row: Record<string, unknown> | undefined, name: string): ClockMetrics => {
    const measured = Number(row?.[`${name}_measured`] ?? 0);
    const met = Number(row?.[`${name}_met`] ?? 0);
    return {
      measured,
      met,
      attainment: share(met, measured),
      businessMinutes: { p50: num(row?.[`${name}_b50`]), p90: num(row?.[`${name}_b90`]) },
      calendarMinutes: { p50: num(row?.[`${name}_c50`]), p90: num(row?.[`${name}_c90`]) },
    };
  };
  const groups = keys.map((key): MetricsGroup => {
    const c = caseRows.get(key);
    const f = feedbackRows.get(key);
    const ratings = Number(f?.ratings ?? 0);
    const answers = Number(f?.answers ?? 0);
    const csat = share(Number(f?.satisfied ?? 0), ratings);
    const promoters = share(Number(f?.promoters ?? 0), answers);
    const detractors = share(Number(f?.detractors ?? 0), answers);
    const callbackMeasured = Number(c?.callback_measured ?? 0);
    const callbackMet = Number(c?.callback_met ?? 0);
    return {
      key,
      complaintsOpened: Number(c?.complaints_opened ?? 0),
      complaintsResolved: Number(c?.complaints_resolved ?? 0),
      callbacksRequested: Number(c?.callbacks_requested ?? 0),
      callbacksCompleted: Number(c?.callbacks_completed ?? 0),
      breachedCases: Number(c?.breached_cases ?? 0),
      breaches: Number(c?.breaches ?? 0),
      firstResponse: clockMetrics(c, 'first_response'),
      resolution: clockMetrics(c, 'resolution'),
      callbackOnTime: { measured: callbackMeasured, met: callbackMet, attainment: share(callbackMet, callbackMeasured) },
      csat: { ratings, score: csat === null ? null : Math.round(csat * 10_000) / 100 },
      nps: { answers, score: promoters === null || detractors === null ? null : Math.round((promoters - detractors) * 10_000) / 100 },
    };
  });
  return { from, to, groupBy, groups };
}
