import type { CaseEvent } from '../case/state';
import { PolicyError } from '../errors';
import { addRunningTime, runningMinutesBetween } from './business-time';
import { computeClocks } from './clocks';
import { defaultPolicy, parsePolicy } from './policy';

const POLICY = parsePolicy(`
version: test-1
timeZone: Europe/London
businessHours:
  mon: ["09:00", "17:00"]
  tue: ["09:00", "17:00"]
  wed: ["09:00", "17:00"]
  thu: ["09:00", "17:00"]
  fri: ["09:00", "17:00"]
holidays: ["2030-12-25"]
targets:
  critical: { firstResponse: 1h, nextResponse: 1h, resolution: 8h }
  high: { firstResponse: 4h, nextResponse: 4h, resolution: 24h }
  medium: { firstResponse: 8h, nextResponse: 8h, resolution: 40h }
  low: { firstResponse: 16h, nextResponse: 16h, resolution: 80h }
categories:
  billing:
    high: { resolution: 2h }
`);

const t = (instant: string) => Date.parse(instant);
const iso = (value: number | null) => (value === null ? null : new Date(value).toISOString());

const filed = (at: string, category = 'delivery'): CaseEvent => ({
  type: 'ComplaintFiled',
  occurredAt: at,
  data: { complaintId: 'cmp-1', category: category as 'delivery', severity: 'high', channel: 'email', summary: 'Late parcel' },
});
const responded = (at: string, awaitingCustomer?: boolean): CaseEvent => ({
  type: 'ComplaintResponded',
  occurredAt: at,
  data: { complaintId: 'cmp-1', message: 'Answer', ...(awaitingCustomer ? { awaitingCustomer } : {}) },
});
const inbound = (at: string): CaseEvent => ({ type: 'MessageSent', occurredAt: at, data: { channel: 'email', direction: 'inbound', complaintId: 'cmp-1' } });
const resolved = (at: string): CaseEvent => ({ type: 'ComplaintResolved', occurredAt: at, data: { complaintId: 'cmp-1', resolution: 'Done' } });
const byTime = (events: CaseEvent[]) => [...events].sort((a, b) => t(a.occurredAt) - t(b.occurredAt));

describe('business time', () => {
  it('skips the weekend: 4h from Friday 16:00 is Monday 12:00', () => {
    expect(iso(addRunningTime(t('2030-03-01T16:00:00Z'), 240, POLICY.calendar))).toBe('2030-03-04T12:00:00.000Z');
    expect(runningMinutesBetween(t('2030-03-01T16:00:00Z'), t('2030-03-04T12:00:00Z'), POLICY.calendar)).toBe(240);
  });

  it('skips a holiday: 4h from Christmas Eve 15:00 is Boxing Day 11:00', () => {
    expect(iso(addRunningTime(t('2030-12-24T15:00:00Z'), 240, POLICY.calendar))).toBe('2030-12-26T11:00:00.000Z');
  });

  it('follows the zone across a DST change: Monday 09:00 in London is 08:00 UTC after the clocks go forward', () => {
    // 31 March 2030 is the last Sunday of March; Friday is GMT, Monday BST.
    expect(iso(addRunningTime(t('2030-03-29T15:00:00Z'), 240, POLICY.calendar))).toBe('2030-04-01T10:00:00.000Z');
    expect(runningMinutesBetween(t('2030-03-29T15:00:00Z'), t('2030-04-01T10:00:00Z'), POLICY.calendar)).toBe(240);
    // And back in October: Friday 15:00 UTC is 16:00 BST (1h left), Monday opens at 09:00 GMT = 09:00 UTC.
    expect(iso(addRunningTime(t('2030-10-25T15:00:00Z'), 240, POLICY.calendar))).toBe('2030-10-28T12:00:00.000Z');
  });

  it('starts outside hours at the next opening, and a calendar clock simply adds', () => {
    expect(iso(addRunningTime(t('2030-03-02T12:00:00Z'), 60, POLICY.calendar))).toBe('2030-03-04T10:00:00.000Z');
    expect(iso(addRunningTime(t('2030-03-02T12:00:00Z'), 60, null))).toBe('2030-03-02T13:00:00.000Z');
  });

  it('leaves pauses out, and an open pause makes the due instant unknown', () => {
    const pause = { from: t('2030-03-04T10:00:00Z'), to: t('2030-03-04T12:00:00Z') };
    expect(iso(addRunningTime(t('2030-03-04T09:00:00Z'), 240, POLICY.calendar, [pause]))).toBe('2030-03-04T15:00:00.000Z');
    expect(addRunningTime(t('2030-03-04T09:00:00Z'), 240, POLICY.calendar, [{ from: t('2030-03-04T10:00:00Z'), to: Infinity }])).toBeNull();
  });
});

describe('complaint clocks', () => {
  it('first response: due after 4 business hours; met when answered in time, with both durations', () => {
    const clocks = computeClocks([filed('2030-03-01T16:00:00Z'), responded('2030-03-04T10:00:00Z')], POLICY);
    expect(clocks.firstResponse).toMatchObject({ dueAt: '2030-03-04T12:00:00.000Z', stoppedAt: '2030-03-04T10:00:00.000Z', met: true, businessMinutes: 120, calendarMinutes: 3960 });
    expect(clocks.dueAt).toBe(clocks.resolution!.dueAt);
  });

  it('resolution pauses while the answer waits on the customer, until their next inbound message', () => {
    const start = [filed('2030-03-04T09:00:00Z'), responded('2030-03-04T10:00:00Z', true)];
    const waiting = computeClocks(start, POLICY);
    expect(waiting.resolution).toMatchObject({ dueAt: null, paused: true });
    // Without a pause 24 business hours end Wednesday 17:00; 8 paused hours push it to Thursday 17:00.
    expect(computeClocks([filed('2030-03-04T09:00:00Z')], POLICY).resolution!.dueAt).toBe('2030-03-06T17:00:00.000Z');
    const answered = computeClocks([...start, inbound('2030-03-05T10:00:00Z')], POLICY);
    expect(answered.resolution).toMatchObject({ dueAt: '2030-03-07T17:00:00.000Z', paused: false });
    const done = computeClocks([...start, inbound('2030-03-05T10:00:00Z'), resolved('2030-03-05T12:00:00Z')], POLICY);
    expect(done.resolution).toMatchObject({ met: true, businessMinutes: 3 * 60, calendarMinutes: 27 * 60 - 24 * 60 });
  });

  it('category overrides the severity target', () => {
    expect(computeClocks([filed('2030-03-04T09:00:00Z', 'billing')], POLICY).resolution!.dueAt).toBe('2030-03-04T11:00:00.000Z');
  });

  it('a late answer (occurred before the due instant, arrived after) moves the breach away', () => {
    const onTime = [filed('2030-03-04T09:00:00Z')];
    expect(computeClocks(onTime, POLICY).breachable).toContainEqual({ metric: 'first_response', dueAt: '2030-03-04T13:00:00.000Z' });
    const late = byTime([...onTime, inbound('2030-03-04T16:00:00Z'), responded('2030-03-04T12:00:00Z')]);
    const clocks = computeClocks(late, POLICY);
    expect(clocks.firstResponse).toMatchObject({ met: true });
    expect(clocks.breachable.map((b) => b.metric)).toEqual(['next_response', 'resolution']);
    // The late inbound message opened a next-response cycle: the queue's due instant moved to it.
    expect(clocks.dueAt).toBe('2030-03-05T12:00:00.000Z');
    expect(clocks.dueMetric).toBe('next_response');
  });

  it('a breach already recorded is not owed again; an answer after the due instant is not met', () => {
    const breach: CaseEvent = { type: 'SlaBreached', occurredAt: '2030-03-04T13:00:00Z', data: { caseKind: 'complaint', caseId: 'cmp-1', metric: 'first_response', dueAt: '2030-03-04T13:00:00Z', at: '2030-03-04T13:00:05Z' } };
    const clocks = computeClocks([filed('2030-03-04T09:00:00Z'), breach, responded('2030-03-04T14:00:00Z')], POLICY);
    expect(clocks.firstResponse).toMatchObject({ met: false, businessMinutes: 300 });
    expect(clocks.breachable.map((b) => b.metric)).toEqual(['resolution']);
  });

  it('a recorded breach a late answer shows was met is owed a withdrawal, and stands no more once withdrawn', () => {
    const dueAt = '2030-03-04T13:00:00.000Z';
    const breach: CaseEvent = { type: 'SlaBreached', occurredAt: dueAt, data: { caseKind: 'complaint', caseId: 'cmp-1', metric: 'first_response', dueAt, at: '2030-03-04T13:00:05Z' } };
    const lateAnswer = byTime([filed('2030-03-04T09:00:00Z'), breach, responded('2030-03-04T12:30:00Z')]);
    const clocks = computeClocks(lateAnswer, POLICY);
    expect(clocks.firstResponse).toMatchObject({ met: true, stoppedAt: '2030-03-04T12:30:00.000Z' });
    expect(clocks.breaches).toEqual([{ metric: 'first_response', dueAt }]);
    expect(clocks.withdrawable).toEqual([{ metric: 'first_response', dueAt, attempt: 0, reason: 'met: stopped at 2030-03-04T12:30:00.000Z' }]);

    const withdrawn: CaseEvent = { type: 'SlaBreachWithdrawn', occurredAt: '2030-03-04T15:00:00Z', data: { caseKind: 'complaint', caseId: 'cmp-1', metric: 'first_response', dueAt, at: '2030-03-04T15:00:00Z', reason: 'met' } };
    const after = computeClocks(byTime([...lateAnswer, withdrawn]), POLICY);
    expect(after.breaches).toEqual([]);
    expect(after.withdrawable).toEqual([]);
    expect(after.breachable.map((b) => b.metric)).toEqual(['resolution']);
    // Replaying the same events gives the same answer.
    expect(computeClocks(byTime([...lateAnswer, withdrawn]), POLICY)).toEqual(after);
  });

  it('a breach whose due instant a late pause moved is withdrawn, and the clock is owed a breach at its new due instant only', () => {
    const filedAt = filed('2030-03-04T09:00:00Z');
    const firstDue = computeClocks([filedAt, responded('2030-03-04T10:00:00Z')], POLICY).resolution!.dueAt!;
    const breach: CaseEvent = { type: 'SlaBreached', occurredAt: firstDue, data: { caseKind: 'complaint', caseId: 'cmp-1', metric: 'resolution', dueAt: firstDue, at: firstDue } };
    // Arrived late: the answer asked the customer for information, who replied two business hours later.
    const events = byTime([filedAt, responded('2030-03-04T10:00:00Z', true), inbound('2030-03-04T12:00:00Z'), breach]);
    const clocks = computeClocks(events, POLICY);
    // 24 business hours from Monday 09:00 end Wednesday 17:00; two paused hours move it to Thursday 11:00.
    expect([firstDue, clocks.resolution!.dueAt]).toEqual(['2030-03-06T17:00:00.000Z', '2030-03-07T11:00:00.000Z']);
    expect(clocks.withdrawable).toEqual([{ metric: 'resolution', dueAt: firstDue, attempt: 0, reason: 'the clock is no longer due then' }]);
    expect(clocks.breachable.filter((b) => b.metric === 'resolution')).toEqual([{ metric: 'resolution', dueAt: clocks.resolution!.dueAt }]);
  });

  it('a breach withdrawn and owed again at the same due instant gets a new attempt number', () => {
    const dueAt = '2030-03-04T13:00:00.000Z';
    const data = { caseKind: 'complaint' as const, caseId: 'cmp-1', metric: 'first_response' as const, dueAt, at: dueAt };
    const clocks = computeClocks(
      [filed('2030-03-04T09:00:00Z'), { type: 'SlaBreached', occurredAt: dueAt, data }, { type: 'SlaBreachWithdrawn', occurredAt: dueAt, data: { ...data, reason: 'met' } }],
      POLICY,
    );
    expect(clocks.breachable).toContainEqual({ metric: 'first_response', dueAt, attempt: 1 });
  });

  it('next-response cycles: each inbound message after an answer starts one, the next answer stops it', () => {
    const clocks = computeClocks(
      [
        filed('2030-03-04T09:00:00Z'),
        responded('2030-03-04T10:00:00Z'),
        inbound('2030-03-04T11:00:00Z'),
        inbound('2030-03-04T12:00:00Z'),
        responded('2030-03-04T16:00:00Z'),
        inbound('2030-03-04T16:30:00Z'),
        responded('2030-03-05T10:00:00Z'),
      ],
      POLICY,
    );
    expect(clocks.nextResponses.map((c) => [c.startedAt, c.dueAt, c.stoppedAt, c.met])).toEqual([
      ['2030-03-04T11:00:00.000Z', '2030-03-04T15:00:00.000Z', '2030-03-04T16:00:00.000Z', false],
      ['2030-03-04T16:30:00.000Z', '2030-03-05T12:30:00.000Z', '2030-03-05T10:00:00.000Z', true],
    ]);
  });

  it('gives the same clocks whatever order the events were folded in once sorted (replay)', () => {
    const events = [filed('2030-03-04T09:00:00Z'), responded('2030-03-04T10:00:00Z'), inbound('2030-03-04T11:00:00Z')];
    expect(computeClocks(byTime([...events].reverse()), POLICY)).toEqual(computeClocks(events, POLICY));
  });
});

describe('callback clocks', () => {
  const requested = (at: string, preferredWindow: Record<string, string>): CaseEvent => ({
    type: 'CallbackRequested',
    occurredAt: at,
    data: { callbackId: 'cb-1', reason: 'retention', phone: '+447700900123', preferredWindow: preferredWindow as { from: string; to: string } },
  });

  it('is due at the end of the preferred window, in its zone', () => {
    const clocks = computeClocks([requested('2030-03-04T09:00:00Z', { from: '17:00', to: '19:00', date: '2030-06-06', timeZone: 'Europe/Paris' })], POLICY);
    expect(clocks.callback!.dueAt).toBe('2030-06-06T17:00:00.000Z');
  });

  it('without a date, the first window that ends after the request', () => {
    expect(computeClocks([requested('2030-03-04T20:00:00Z', { from: '09:00', to: '12:00' })], POLICY).callback!.dueAt).toBe('2030-03-05T12:00:00.000Z');
    expect(computeClocks([requested('2030-03-04T08:00:00Z', { from: '09:00', to: '12:00' })], POLICY).callback!.dueAt).toBe('2030-03-04T12:00:00.000Z');
  });

  it('an unknown zone is read in the policy zone and noted, never a crash', () => {
    const clocks = computeClocks([requested('2030-03-04T08:00:00Z', { from: '09:00', to: '12:00', timeZone: 'Mars/Olympus' })], POLICY);
    expect(clocks.callback!.dueAt).toBe('2030-03-04T12:00:00.000Z');
    expect(clocks.notes).toEqual(["unknown time zone 'Mars/Olympus' in the preferred window; read in Europe/London"]);
  });

  it('a cancelled callback is not measured nor breached', () => {
    const cancel: CaseEvent = { type: 'CallbackCancelled', occurredAt: '2030-03-05T13:00:00Z', data: { callbackId: 'cb-1' } };
    const clocks = computeClocks([requested('2030-03-04T08:00:00Z', { from: '09:00', to: '12:00' }), cancel], POLICY);
    expect(clocks.callback).toMatchObject({ met: null, stoppedAt: '2030-03-05T13:00:00.000Z' });
    expect(clocks.breachable).toEqual([]);
  });
});

describe('policy file', () => {
  it('ships valid defaults', () => {
    const policy = defaultPolicy();
    expect(policy.targetsFor('critical', 'billing')).toEqual({ firstResponse: 60, nextResponse: 120, resolution: 240 });
    expect(policy.targetsFor('low', 'delivery')).toEqual({ firstResponse: 960, nextResponse: 960, resolution: 4800 });
  });

  it('names every bad path', () => {
    const bad = `
version: x
timeZone: Nowhere/City
businessHours: { mon: ["17:00", "09:00"] }
targets:
  critical: { firstResponse: soon, nextResponse: 1h, resolution: 8h }
  high: { firstResponse: 4h, nextResponse: 4h, resolution: 24h }
  medium: { firstResponse: 8h, nextResponse: 8h, resolution: 40h }
  low: { firstResponse: 16h, nextResponse: 16h, resolution: 80h, extra: 1 }
`;
    try {
      parsePolicy(bad, 'bad.yaml');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(PolicyError);
      const paths = (error as PolicyError).errors.map((e) => e.path);
      expect(paths).toEqual(expect.arrayContaining(['timeZone', 'businessHours.mon', 'targets.critical.firstResponse', 'targets.low']));
      expect((error as Error).message).toMatch(/^SLA policy bad.yaml is invalid: /);
    }
  });
});
