import type { CaseEvent } from '../case/state';
import { addRunningTime, isKnownTimeZone, localParts, localToInstant, mergePauses, runningMinutesBetween, type Interval } from './business-time';
import type { SlaPolicy } from './policy';

export type SlaMetric = 'first_response' | 'next_response' | 'resolution' | 'callback';

/** One SLA clock of a case, all instants ISO strings. */
export interface SlaClock {
  readonly metric: SlaMetric;
  readonly startedAt: string;
  /** Null while the clock waits on the customer with time still left (the due instant is not known yet). */
  readonly dueAt: string | null;
  readonly stoppedAt: string | null;
  /** Null while running; whether it stopped by its due instant. */
  readonly met: boolean | null;
  /** Running time to the stop (business hours; pauses left out), null while running. */
  readonly businessMinutes: number | null;
  /** Wall-clock time to the stop, pauses left out, null while running. */
  readonly calendarMinutes: number | null;
  /** Resolution only: whether the clock is paused waiting on the customer now. */
  readonly paused?: boolean;
}

export interface CaseClocks {
  readonly policyVersion: string;
  readonly firstResponse: SlaClock | null;
  readonly nextResponses: readonly SlaClock[];
  readonly resolution: SlaClock | null;
  readonly callback: SlaClock | null;
  /** The earliest due instant of a running clock: where the case sits in the work queue. */
  readonly dueAt: string | null;
  readonly dueMetric: SlaMetric | null;
  /**
   * Clocks that are (or will be) late with no breach standing: the scheduler records an
   * SlaBreached for each at its due instant. `attempt` counts earlier withdrawals of the same
   * breach (left out when 0), so a breach owed again gets a new event id.
   */
  readonly breachable: readonly { metric: SlaMetric; dueAt: string; attempt?: number }[];
  /** Recorded SlaBreached events not withdrawn: what the case's breached state and the metrics count. */
  readonly breaches: readonly { metric: SlaMetric; dueAt: string }[];
  /**
   * Standing breaches the events no longer support (a late event shows the clock stopped in
   * time, or moved its due instant): the scheduler records an SlaBreachWithdrawn for each.
   */
  readonly withdrawable: readonly { metric: SlaMetric; dueAt: string; attempt: number; reason: string }[];
  /** Problems met while computing, e.g. a window in an unknown time zone. */
  readonly notes: readonly string[];
}

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (instant: string) => Date.parse(instant);

function clockOf(
  metric: SlaMetric,
  start: number,
  due: number | null,
  stop: number | null,
  policy: SlaPolicy,
  pauses: readonly Interval[] = [],
): SlaClock {
  const stopped = stop !== null;
  const pausedMs = stopped ? pausedWithin(start, stop, pauses) : 0;
  return {
    metric,
    startedAt: iso(start),
    dueAt: due === null ? null : iso(due),
    stoppedAt: stopped ? iso(stop) : null,
    met: stopped ? due === null || stop <= due : null,
    businessMinutes: stopped ? runningMinutesBetween(start, stop, policy.calendar, pauses) : null,
    calendarMinutes: stopped ? Math.round((stop - start - pausedMs) / 60_000) : null,
  };
}

function pausedWithin(start: number, stop: number, pauses: readonly Interval[]): number {
  return mergePauses(pauses).reduce((sum, pause) => sum + Math.max(0, Math.min(stop, pause.to) - Math.max(start, pause.from)), 0);
}

/**
 * The SLA clocks of one case, computed from all its events in time order (occurredAt, then
 * store order), so a late event simply lands in its place and the clocks come out as if it
 * had arrived on time; a replay gives the same clocks.
 */
export function computeClocks(events: readonly CaseEvent[], policy: SlaPolicy): CaseClocks {
  const first = events.find((event) => event.type === 'ComplaintFiled' || event.type === 'CallbackRequested');
  // Per breach (metric and due instant): how many were recorded, how many withdrawn.
  const recorded = new Map<string, { metric: SlaMetric; dueAt: string; breached: number; withdrawn: number }>();
  for (const event of events) {
    if (event.type !== 'SlaBreached' && event.type !== 'SlaBreachWithdrawn') continue;
    const key = `${event.data.metric}|${ms(event.data.dueAt)}`;
    const entry = recorded.get(key) ?? { metric: event.data.metric, dueAt: iso(ms(event.data.dueAt)), breached: 0, withdrawn: 0 };
    if (event.type === 'SlaBreached') entry.breached++;
    else entry.withdrawn++;
    recorded.set(key, entry);
  }
  const standing = [...recorded].filter(([, entry]) => entry.breached > entry.withdrawn);
  const base = { policyVersion: policy.version, firstResponse: null, nextResponses: [], resolution: null, callback: null, notes: [] };
  const result = first?.type === 'CallbackRequested' ? callbackClocks(events, first, policy, base) : first?.type === 'ComplaintFiled' ? complaintClocks(events, first, policy, base) : { ...base, notes: [] as string[] };
  const clocks = [result.firstResponse, ...result.nextResponses, result.resolution, result.callback].filter((clock): clock is SlaClock => clock !== null);
  const running = clocks.filter((clock) => clock.stoppedAt === null && clock.dueAt !== null).sort((a, b) => ms(a.dueAt!) - ms(b.dueAt!));
  const keyOf = (clock: SlaClock) => `${clock.metric}|${ms(clock.dueAt!)}`;
  const late = clocks.filter((clock) => clock.dueAt !== null && (clock.stoppedAt === null || clock.met === false));
  const standingKeys = new Set(standing.map(([key]) => key));
  const withClock = new Map(clocks.filter((clock) => clock.dueAt !== null).map((clock) => [keyOf(clock), clock]));
  return {
    ...result,
    dueAt: running[0]?.dueAt ?? null,
    dueMetric: running[0]?.metric ?? null,
    breachable: late
      .filter((clock) => !standingKeys.has(keyOf(clock)))
      .map((clock) => {
        const attempt = recorded.get(keyOf(clock))?.withdrawn ?? 0;
        return { metric: clock.metric, dueAt: clock.dueAt!, ...(attempt > 0 ? { attempt } : {}) };
      }),
    breaches: standing.map(([, { metric, dueAt }]) => ({ metric, dueAt })),
    withdrawable: standing.flatMap(([key, entry]) => {
      const clock = withClock.get(key);
      // Still late: running past its due instant, or stopped after it.
      if (clock && (clock.stoppedAt === null || ms(clock.stoppedAt) > ms(clock.dueAt!))) return [];
      const reason = clock ? `met: stopped at ${clock.stoppedAt}` : 'the clock is no longer due then';
      return [{ metric: entry.metric, dueAt: entry.dueAt, attempt: entry.withdrawn, reason }];
    }),
  };
}

type Base = Pick<CaseClocks, 'policyVersion' | 'firstResponse' | 'nextResponses' | 'resolution' | 'callback' | 'notes'>;

function complaintClocks(events: readonly CaseEvent[], filed: Extract<CaseEvent, { type: 'ComplaintFiled' }>, policy: SlaPolicy, base: Base): Base {
  const targets = policy.targetsFor(filed.data.severity, filed.data.category);
  const start = ms(filed.occurredAt);
  let firstResponse: number | null = null;
  const cycles: { start: number; stop: number | null }[] = [];
  const pauses: { from: number; to: number }[] = [];
  let resolvedAt: number | null = null;
  for (const event of events) {
    const at = ms(event.occurredAt);
    if (at < start) continue;
    const open = cycles.length > 0 && cycles[cycles.length - 1].stop === null ? cycles[cycles.length - 1] : undefined;
    const pause = pauses.length > 0 && pauses[pauses.length - 1].to === Infinity ? pauses[pauses.length - 1] : undefined;
    switch (event.type) {
      case 'ComplaintResponded':
        if (resolvedAt !== null) break;
        firstResponse ??= at;
        if (open) open.stop = at;
        if (event.data.awaitingCustomer && !pause) pauses.push({ from: at, to: Infinity });
        break;
      case 'MessageSent':
        if (event.data.direction !== 'inbound' || resolvedAt !== null) break;
        if (pause) pause.to = at;
        // Messages before the first answer are part of the first-response wait.
        if (firstResponse !== null && !open) cycles.push({ start: at, stop: null });
        break;
      case 'ComplaintResolved':
        if (resolvedAt !== null) break;
        resolvedAt = at;
        if (open) open.stop = at;
        if (pause) pause.to = at;
        break;
      case 'ComplaintReopened':
        // The time spent resolved does not count against the resolution target.
        if (resolvedAt !== null) pauses.push({ from: resolvedAt, to: at });
        resolvedAt = null;
        break;
      default:
        break;
    }
  }
  const calendar = policy.calendar;
  return {
    ...base,
    firstResponse: clockOf('first_response', start, addRunningTime(start, targets.firstResponse, calendar), firstResponse ?? resolvedAt, policy),
    nextResponses: cycles.map((cycle) => clockOf('next_response', cycle.start, addRunningTime(cycle.start, targets.nextResponse, calendar), cycle.stop, policy)),
    resolution: {
      ...clockOf('resolution', start, addRunningTime(start, targets.resolution, calendar, pauses), resolvedAt, policy, pauses),
      paused: resolvedAt === null && pauses.some((pause) => pause.to === Infinity),
    },
  };
}

function callbackClocks(events: readonly CaseEvent[], requested: Extract<CaseEvent, { type: 'CallbackRequested' }>, policy: SlaPolicy, base: Base): Base {
  const start = ms(requested.occurredAt);
  const window = requested.data.preferredWindow;
  const notes: string[] = [];
  let zone = window.timeZone ?? policy.calendar.timeZone;
  if (!isKnownTimeZone(zone)) {
    notes.push(`unknown time zone '${zone}' in the preferred window; read in ${policy.calendar.timeZone}`);
    zone = policy.calendar.timeZone;
  }
  const end = Number(window.to.slice(0, 2)) * 60 + Number(window.to.slice(3, 5));
  let due: number;
  if (window.date) {
    const [year, month, day] = window.date.split('-').map(Number);
    due = localToInstant({ year, month, day }, end, zone);
  } else {
    // Any day: the end of the first window that ends after the request.
    const today = localParts(start, zone);
    due = localToInstant(today, end, zone);
    if (due <= start) {
      const tomorrow = new Date(Date.UTC(today.year, today.month - 1, today.day + 1));
      due = localToInstant({ year: tomorrow.getUTCFullYear(), month: tomorrow.getUTCMonth() + 1, day: tomorrow.getUTCDate() }, end, zone);
    }
  }
  const closing = events.find((event) => event.type === 'CallbackCompleted' || event.type === 'CallbackCancelled');
  const clock = clockOf('callback', start, due, closing ? ms(closing.occurredAt) : null, policy);
  // A cancelled callback is not measured: nobody owed the call any more.
  const measured = closing?.type === 'CallbackCancelled' ? { ...clock, met: null } : clock;
  return { ...base, callback: measured, notes };
}
