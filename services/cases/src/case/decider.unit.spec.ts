import { CaseNotFoundError, IllegalTransitionError } from '../errors';
import { decide, followUpCallbackId, type CaseCommand } from './decide';
import { fold, type CaseEvent, type CaseStatus } from './state';

const NOW = '2030-03-04T10:00:00.000Z';
const at = (minute: number) => new Date(Date.parse('2030-03-04T09:00:00Z') + minute * 60_000).toISOString();

const filed: CaseEvent = {
  type: 'ComplaintFiled',
  occurredAt: at(0),
  customerId: 'c-1',
  data: { complaintId: 'cmp-1', category: 'delivery', severity: 'high', channel: 'email', summary: 'Parcel never came' },
};
const responded: CaseEvent = { type: 'ComplaintResponded', occurredAt: at(1), data: { complaintId: 'cmp-1', message: 'Looking into it' } };
const escalated: CaseEvent = { type: 'ComplaintEscalated', occurredAt: at(2), data: { complaintId: 'cmp-1', level: 1 } };
const resolved: CaseEvent = { type: 'ComplaintResolved', occurredAt: at(3), data: { complaintId: 'cmp-1', resolution: 'Refunded' } };
const reopened: CaseEvent = { type: 'ComplaintReopened', occurredAt: at(4), data: { complaintId: 'cmp-1' } };
const requested: CaseEvent = {
  type: 'CallbackRequested',
  occurredAt: at(0),
  customerId: 'c-1',
  data: { callbackId: 'cb-1', reason: 'retention', phone: '+447700900123', preferredWindow: { from: '09:00', to: '12:00' } },
};
const scheduled: CaseEvent = { type: 'CallbackScheduled', occurredAt: at(1), data: { callbackId: 'cb-1', scheduledFor: at(60), assigneeId: 'agent-2' } };
const completed: CaseEvent = { type: 'CallbackCompleted', occurredAt: at(2), data: { callbackId: 'cb-1', outcome: 'resolved' } };
const cancelled: CaseEvent = { type: 'CallbackCancelled', occurredAt: at(2), data: { callbackId: 'cb-1' } };

/** Histories that put a complaint or callback in each state. */
const COMPLAINT_IN: Record<string, CaseEvent[]> = {
  none: [],
  open: [filed],
  responded: [filed, responded],
  escalated: [filed, responded, escalated],
  resolved: [filed, responded, resolved],
  reopened: [filed, responded, resolved, reopened],
};
const CALLBACK_IN: Record<string, CaseEvent[]> = {
  none: [],
  requested: [requested],
  scheduled: [requested, scheduled],
  completed: [requested, scheduled, completed],
  cancelled: [requested, cancelled],
};

const commands: Record<string, CaseCommand> = {
  file: { kind: 'file', customerId: 'c-1', data: filed.data as Extract<CaseCommand, { kind: 'file' }>['data'] },
  respond: { kind: 'respond', data: { message: 'We are on it' } },
  escalate: { kind: 'escalate', data: { level: 2, reason: 'Refund above limit' } },
  assign: { kind: 'assign', data: { assigneeId: 'agent-9' } },
  resolve: { kind: 'resolve', data: { resolution: 'Refunded', compensationPoints: 500 } },
  reopen: { kind: 'reopen', data: { reason: 'Refund never arrived' } },
  request: { kind: 'request', customerId: 'c-1', data: requested.data as Extract<CaseCommand, { kind: 'request' }>['data'] },
  schedule: { kind: 'schedule', data: { scheduledFor: at(120), assigneeId: 'agent-3' } },
  complete: { kind: 'complete', data: { outcome: 'resolved', durationSeconds: 300 } },
  cancel: { kind: 'cancel', data: { reason: 'Customer found the answer' } },
};

// Given the state (rows), when the command (columns), then the event type or the refusal.
const COMPLAINT_TABLE: Record<string, Record<string, string>> = {
  none: { file: 'ComplaintFiled', respond: '404', escalate: '404', assign: '404', resolve: '404', reopen: '404' },
  open: { file: '409', respond: 'ComplaintResponded', escalate: 'ComplaintEscalated', assign: 'ComplaintAssigned', resolve: '409', reopen: '409' },
  responded: { file: '409', respond: 'ComplaintResponded', escalate: 'ComplaintEscalated', assign: 'ComplaintAssigned', resolve: 'ComplaintResolved', reopen: '409' },
  escalated: { file: '409', respond: 'ComplaintResponded', escalate: 'ComplaintEscalated', assign: 'ComplaintAssigned', resolve: 'ComplaintResolved', reopen: '409' },
  resolved: { file: '409', respond: '409', escalate: '409', assign: '409', resolve: '409', reopen: 'ComplaintReopened' },
  reopened: { file: '409', respond: 'ComplaintResponded', escalate: 'ComplaintEscalated', assign: 'ComplaintAssigned', resolve: 'ComplaintResolved', reopen: '409' },
};
const CALLBACK_TABLE: Record<string, Record<string, string>> = {
  none: { request: 'CallbackRequested', schedule: '404', complete: '404', cancel: '404' },
  requested: { request: '409', schedule: 'CallbackScheduled', complete: '409', cancel: 'CallbackCancelled' },
  scheduled: { request: '409', schedule: 'CallbackScheduled', complete: 'CallbackCompleted', cancel: 'CallbackCancelled' },
  completed: { request: '409', schedule: '409', complete: '409', cancel: '409' },
  cancelled: { request: '409', schedule: '409', complete: '409', cancel: '409' },
};

function outcome(history: CaseEvent[], command: CaseCommand, caseId: string): string {
  try {
    const drafts = decide(command, fold(history), caseId, NOW);
    return drafts.map((draft) => draft.type).join(',');
  } catch (error) {
    if (error instanceof CaseNotFoundError) return '404';
    if (error instanceof IllegalTransitionError) {
      const status = fold(history).status;
      expect(error.extensions.state).toBe(status);
      expect(error.message).toContain(`is ${status}`);
      return '409';
    }
    throw error;
  }
}

describe('complaint decider', () => {
  for (const [state, row] of Object.entries(COMPLAINT_TABLE)) {
    for (const [command, expected] of Object.entries(row)) {
      it(`given a ${state} complaint, when ${command}, then ${expected}`, () => {
        expect(outcome(COMPLAINT_IN[state], commands[command], 'cmp-1')).toBe(expected);
      });
    }
  }

  it('records the decided event with the command data, the case id and the time given', () => {
    const [draft] = decide(commands.resolve, fold(COMPLAINT_IN.responded), 'cmp-1', NOW);
    expect(draft).toEqual({
      caseKind: 'complaint',
      caseId: 'cmp-1',
      type: 'ComplaintResolved',
      occurredAt: NOW,
      data: { complaintId: 'cmp-1', resolution: 'Refunded', compensationPoints: 500 },
    });
  });

  it('refuses an escalation that is not above the current level, naming the level', () => {
    const history = [...COMPLAINT_IN.escalated, { ...escalated, data: { complaintId: 'cmp-1', level: 3 } } as CaseEvent];
    expect(() => decide({ kind: 'escalate', data: { level: 2 } }, fold(history), 'cmp-1', NOW)).toThrow(/is escalated; it cannot be escalated: it is already at level 3/);
  });

  it('assigning the current assignee again decides nothing', () => {
    const history = [...COMPLAINT_IN.open, { type: 'ComplaintAssigned', occurredAt: at(1), data: { complaintId: 'cmp-1', assigneeId: 'agent-9' } } as CaseEvent];
    expect(decide(commands.assign, fold(history), 'cmp-1', NOW)).toEqual([]);
    expect(fold(history).assigneeId).toBe('agent-9');
  });

  it('a callback id is not a complaint: commands on the wrong kind are 404', () => {
    expect(outcome(CALLBACK_IN.requested, commands.respond, 'cb-1')).toBe('404');
  });
});

describe('callback decider', () => {
  for (const [state, row] of Object.entries(CALLBACK_TABLE)) {
    for (const [command, expected] of Object.entries(row)) {
      it(`given a ${state} callback, when ${command}, then ${expected}`, () => {
        expect(outcome(CALLBACK_IN[state], commands[command], 'cb-1')).toBe(expected);
      });
    }
  }

  it('a follow_up_needed outcome opens a new callback with a derived id, same phone and window', () => {
    const drafts = decide({ kind: 'complete', data: { outcome: 'follow_up_needed' } }, fold(CALLBACK_IN.scheduled), 'cb-1', NOW);
    expect(drafts.map((draft) => [draft.type, draft.caseId])).toEqual([
      ['CallbackCompleted', 'cb-1'],
      ['CallbackRequested', followUpCallbackId('cb-1')],
    ]);
    expect(drafts[1].data).toEqual({ callbackId: followUpCallbackId('cb-1'), reason: 'Follow-up of callback cb-1', phone: '+447700900123', preferredWindow: { from: '09:00', to: '12:00' } });
    expect(followUpCallbackId('cb-1')).toBe(followUpCallbackId('cb-1'));
    expect(followUpCallbackId('cb-1')).not.toBe(followUpCallbackId('cb-2'));
  });

  it('keeps the reason of a retention callback', () => {
    expect(fold(CALLBACK_IN.requested)).toMatchObject({ kind: 'callback', status: 'requested', reason: 'retention', customerId: 'c-1' });
  });
});

describe('outside facts', () => {
  const statusAfter = (events: CaseEvent[]): CaseStatus => fold(events).status;

  it('are applied however they arrive; nonsense is flagged, never dropped', () => {
    const state = fold([filed, responded, resolved, { ...resolved, occurredAt: at(9) }]);
    expect(state.status).toBe('resolved');
    expect(state.flags).toEqual([`ComplaintResolved at ${at(9)} while resolved: it is already resolved`]);
  });

  it('an answer to a complaint never filed is kept and flagged', () => {
    const state = fold([responded]);
    expect(state).toMatchObject({ kind: 'complaint', caseId: 'cmp-1', status: 'responded' });
    expect(state.flags).toEqual([`ComplaintResponded at ${at(1)} while none: it was never filed`]);
  });

  it('completing a cancelled callback is recorded as completed, and flagged', () => {
    const state = fold([requested, cancelled, { ...completed, occurredAt: at(5) }]);
    expect(state.status).toBe('completed');
    expect(state.flags).toEqual([`CallbackCompleted at ${at(5)} while cancelled: it is closed`]);
  });

  it('a cancellation after completion leaves the callback completed, and is flagged', () => {
    expect(statusAfter([requested, scheduled, completed, { ...cancelled, occurredAt: at(6) }])).toBe('completed');
  });

  it('the full complaint lifecycle folds to its states', () => {
    expect([1, 2, 3, 4, 5].map((n) => statusAfter(COMPLAINT_IN.reopened.slice(0, n)))).toEqual(['open', 'responded', 'resolved', 'reopened', 'reopened']);
    expect(fold(COMPLAINT_IN.escalated)).toMatchObject({ escalationLevel: 1, status: 'escalated', severity: 'high', category: 'delivery', channel: 'email', flags: [] });
  });
});
