/**
 * Business time in a time zone, with `Intl` for the zone rules (DST included) and plain
 * millisecond arithmetic for the rest. Everything here is pure and works on epoch
 * milliseconds; a pause is a half-open interval the clock does not run in.
 */

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far ahead a due instant is looked for; beyond it the clock counts as never due. */
const HORIZON_DAYS = 3 * 366;

export interface BusinessCalendar {
  readonly timeZone: string;
  /** Opening hours per weekday (0 = Sunday … 6 = Saturday) as minutes after local midnight; null: closed. */
  readonly hours: readonly (readonly [number, number] | null)[];
  /** Local dates (YYYY-MM-DD) the business is closed. */
  readonly holidays: ReadonlySet<string>;
}

export interface Interval {
  readonly from: number;
  /** Infinity for a pause that has not ended. */
  readonly to: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Whether `Intl` knows the zone (contracts let emitters name any). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Local wall-clock fields of an instant in a zone. */
export function localParts(instant: number, timeZone: string): { year: number; month: number; day: number; minutes: number; weekday: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const weekday = new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay();
  return { year: parts.year, month: parts.month, day: parts.day, minutes: parts.hour * 60 + parts.minute, weekday };
}

/** Zone offset (local − UTC) at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const p = localParts(instant, timeZone);
  const seconds = new Date(instant).getUTCSeconds();
  return Date.UTC(p.year, p.month - 1, p.day, 0, p.minutes, seconds) - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant a local date and time names in a zone. In a spring-forward gap the time is
 * read with the offset before the change (01:30 on the day London skips 01:00–02:00 is 02:30 BST).
 */
export function localToInstant(date: { year: number; month: number; day: number }, minutes: number, timeZone: string): number {
  const guess = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  const first = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(first, timeZone);
  return offsetAt(second, timeZone) === offsetAt(first, timeZone) ? second : Math.max(first, second);
}

const isoDay = (year: number, month: number, day: number) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** Each calendar's opening window per day number (days since 1970-01-01), null when closed: zone arithmetic is the slow part. */
const windowCache = new WeakMap<BusinessCalendar, Map<number, Interval | null>>();

function windowOn(dayNumber: number, calendar: BusinessCalendar): Interval | null {
  let cache = windowCache.get(calendar);
  if (!cache) windowCache.set(calendar, (cache = new Map()));
  const cached = cache.get(dayNumber);
  if (cached !== undefined) return cached;
  const day = new Date(dayNumber * DAY);
  const date = { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
  const hours = calendar.hours[day.getUTCDay()];
  const window =
    !hours || calendar.holidays.has(isoDay(date.year, date.month, date.day))
      ? null
      : { from: localToInstant(date, hours[0], calendar.timeZone), to: localToInstant(date, hours[1], calendar.timeZone) };
  cache.set(dayNumber, window);
  return window;
}

/** Opening windows as instants, day by day from the local day `from` falls in. */
function* windowsFrom(from: number, calendar: BusinessCalendar): Generator<Interval> {
  const start = localParts(from, calendar.timeZone);
  const first = Date.UTC(start.year, start.month - 1, start.day) / DAY;
  for (let n = 0; n < HORIZON_DAYS; n++) {
    const window = windowOn(first + n, calendar);
    if (window) yield window;
  }
}

/** Pauses sorted and merged, so subtracting them is one walk. */
export function mergePauses(pauses: readonly Interval[]): Interval[] {
  const sorted = [...pauses].filter((p) => p.to > p.from).sort((a, b) => a.from - b.from);
  const merged: Interval[] = [];
  for (const pause of sorted) {
    const last = merged[merged.length - 1];
    if (last && pause.from <= last.to) merged[merged.length - 1] = { from: last.from, to: Math.max(last.to, pause.to) };
    else merged.push(pause);
  }
  return merged;
}

/** The parts of [from, to) outside every (merged, sorted) pause. */
function* outside(from: number, to: number, pauses: readonly Interval[]): Generator<Interval> {
  let cursor = from;
  for (const pause of pauses) {
    if (pause.to <= cursor) continue;
    if (pause.from >= to) break;
    if (pause.from > cursor) yield { from: cursor, to: pause.from };
    cursor = Math.max(cursor, pause.to);
    if (cursor >= to) return;
  }
  if (cursor < to) yield { from: cursor, to };
}

/**
 * The instant `minutes` of running clock after `start`: business hours only (or all the
 * time when `calendar` is null), pauses left out. Null when that is beyond the horizon or
 * behind a pause that has not ended.
 */
export function addRunningTime(start: number, minutes: number, calendar: BusinessCalendar | null, pauses: readonly Interval[] = []): number | null {
  let remaining = minutes * MINUTE;
  const merged = mergePauses(pauses);
  // Time left when a pause that has not ended begins: the clock stops there for good (for now).
  const openPause = merged.find((pause) => pause.to === Infinity);
  const windows = calendar ? windowsFrom(start, calendar) : [{ from: start, to: start + HORIZON_DAYS * DAY }];
  for (const window of windows) {
    if (openPause && window.from >= openPause.from) return null;
    const from = Math.max(window.from, start);
    if (window.to <= from) continue;
    for (const part of outside(from, window.to, merged)) {
      const length = part.to - part.from;
      if (remaining <= length) return part.from + remaining;
      remaining -= length;
    }
  }
  return null;
}

/** Running minutes between two instants: business hours only (or all the time when `calendar` is null), pauses left out. */
export function runningMinutesBetween(start: number, end: number, calendar: BusinessCalendar | null, pauses: readonly Interval[] = []): number {
  if (end <= start) return 0;
  const merged = mergePauses(pauses);
  let total = 0;
  const windows = calendar ? windowsFrom(start, calendar) : [{ from: start, to: end }];
  for (const window of windows) {
    if (window.from >= end) break;
    const from = Math.max(window.from, start);
    const to = Math.min(window.to, end);
    for (const part of outside(from, to, merged)) total += part.to - part.from;
  }
  return Math.round(total / MINUTE);
}
