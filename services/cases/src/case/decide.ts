import type { EventOf } from '@rapport/contracts';
import { v5 as uuidv5 } from 'uuid';
import { CaseNotFoundError, IllegalTransitionError } from '../errors';
import { transitionProblem, type CaseEventType, type CaseKind, type CaseState } from './state';

/** Namespace of every id the cases service derives (uuid v5). */
export const CASES_NAMESPACE = '6f1d3c52-8a4e-4f0b-9c7d-2b5e8a1f4c90';
export const derivedId = (...parts: string[]) => uuidv5(parts.join('|'), CASES_NAMESPACE);

type Data<T extends CaseEventType> = EventOf<T>['data'];

export type CaseCommand =
  | { readonly kind: 'file'; readonly customerId: string; readonly data: Data<'ComplaintFiled'> }
  | { readonly kind: 'respond'; readonly data: Omit<Data<'ComplaintResponded'>, 'complaintId'> }
  | { readonly kind: 'escalate'; readonly data: Omit<Data<'ComplaintEscalated'>, 'complaintId'> }
  | { readonly kind: 'assign'; readonly data: Omit<Data<'ComplaintAssigned'>, 'complaintId'> }
  | { readonly kind: 'resolve'; readonly data: Omit<Data<'ComplaintResolved'>, 'complaintId'> }
  | { readonly kind: 'reopen'; readonly data: Omit<Data<'ComplaintReopened'>, 'complaintId'> }
  | { readonly kind: 'request'; readonly customerId: string; readonly data: Data<'CallbackRequested'> }
  | { readonly kind: 'schedule'; readonly data: Omit<Data<'CallbackScheduled'>, 'callbackId'> }
  | { readonly kind: 'complete'; readonly data: Omit<Data<'CallbackCompleted'>, 'callbackId'> }
  | { readonly kind: 'cancel'; readonly data: Omit<Data<'CallbackCancelled'>, 'callbackId'> };

/** A decided event before it gets its envelope; `caseKind`/`caseId` say whose stream it goes to. */
export type Draft = {
  [T in CaseEventType]: { readonly caseKind: CaseKind; readonly caseId: string; readonly type: T; readonly data: Data<T>; readonly occurredAt: string };
}[CaseEventType];

/** The event each command records first. */
export const COMMAND_EVENT = {
  file: 'ComplaintFiled',
  respond: 'ComplaintResponded',
  escalate: 'ComplaintEscalated',
  assign: 'ComplaintAssigned',
  resolve: 'ComplaintResolved',
  reopen: 'ComplaintReopened',
  request: 'CallbackRequested',
  schedule: 'CallbackScheduled',
  complete: 'CallbackCompleted',
  cancel: 'CallbackCancelled',
} as const satisfies Record<CaseCommand['kind'], CaseEventType>;

const KIND_OF: Record<CaseCommand['kind'], CaseKind> = {
  file: 'complaint',
  respond: 'complaint',
  escalate: 'complaint',
  assign: 'complaint',
  resolve: 'complaint',
  reopen: 'complaint',
  request: 'callback',
  schedule: 'callback',
  complete: 'callback',
  cancel: 'callback',
};

/** The id of the callback a `follow_up_needed` outcome opens: the same callback always opens the same one. */
export const followUpCallbackId = (callbackId: string) => `fu-${derivedId('follow-up', callbackId)}`;

/**
 * Decides what a staff command on case `caseId` does, given the case's fold and the time.
 * An illegal transition throws, naming the state the case is in; an unknown case is a 404.
 */
export function decide(command: CaseCommand, state: CaseState, caseId: string, now: string): Draft[] {
  const caseKind = KIND_OF[command.kind];
  const opens = command.kind === 'file' || command.kind === 'request';
  if (!opens && (state.status === 'none' || state.kind !== caseKind)) throw new CaseNotFoundError(caseKind, caseId);
  const type = COMMAND_EVENT[command.kind];
  const problem = transitionProblem(state, type, command.kind === 'escalate' ? { level: command.data.level } : {});
  if (problem) throw new IllegalTransitionError(caseKind, caseId, state.status, verbOf(command.kind), problem);
  const draft = <T extends CaseEventType>(t: T, data: Data<T>, kind = caseKind, id = caseId) =>
    ({ caseKind: kind, caseId: id, type: t, data, occurredAt: now }) as Draft;
  switch (command.kind) {
    case 'file':
      return [draft('ComplaintFiled', { ...command.data, complaintId: caseId })];
    case 'respond':
      return [draft('ComplaintResponded', { complaintId: caseId, ...command.data })];
    case 'escalate':
      return [draft('ComplaintEscalated', { complaintId: caseId, ...command.data })];
    case 'assign':
      // Assigning the owner again changes nothing.
      return state.assigneeId === command.data.assigneeId ? [] : [draft('ComplaintAssigned', { complaintId: caseId, ...command.data })];
    case 'resolve':
      return [draft('ComplaintResolved', { complaintId: caseId, ...command.data })];
    case 'reopen':
      return [draft('ComplaintReopened', { complaintId: caseId, ...command.data })];
    case 'request':
      return [draft('CallbackRequested', { ...command.data, callbackId: caseId })];
    case 'schedule':
      return [draft('CallbackScheduled', { callbackId: caseId, ...command.data })];
    case 'complete': {
      const completed = draft('CallbackCompleted', { callbackId: caseId, ...command.data });
      // Without a known phone number (only outside facts seen) there is nobody to call back.
      if (command.data.outcome !== 'follow_up_needed' || !state.phone) return [completed];
      const followUpId = followUpCallbackId(caseId);
      const followUp = draft(
        'CallbackRequested',
        {
          callbackId: followUpId,
          reason: `Follow-up of callback ${caseId}`.slice(0, 500),
          phone: state.phone,
          preferredWindow: withoutDate(state.preferredWindow),
          ...(state.complaintId ? { complaintId: state.complaintId } : {}),
          ...(state.orderId ? { orderId: state.orderId } : {}),
        },
        'callback',
        followUpId,
      );
      return [completed, followUp];
    }
    case 'cancel':
      return [draft('CallbackCancelled', { callbackId: caseId, ...command.data })];
    default: {
      const unknown: never = command;
      throw new Error(`unknown command ${JSON.stringify(unknown)}`);
    }
  }
}

// The follow-up is due in the same daily window, on any day: the original date has passed.
function withoutDate(window: CaseState['preferredWindow']): Data<'CallbackRequested'>['preferredWindow'] {
  if (!window) return { from: '09:00', to: '17:00' };
  const { date: _date, ...rest } = window;
  return rest;
}

function verbOf(kind: CaseCommand['kind']): string {
  switch (kind) {
    case 'file':
      return 'be filed';
    case 'respond':
      return 'be answered';
    case 'escalate':
      return 'be escalated';
    case 'assign':
      return 'be assigned';
    case 'resolve':
      return 'be resolved';
    case 'reopen':
      return 'be reopened';
    case 'request':
      return 'be requested';
    case 'schedule':
      return 'be scheduled';
    case 'complete':
      return 'be completed';
    case 'cancel':
      return 'be cancelled';
    default: {
      const unknown: never = kind;
      throw new Error(`unknown command ${String(unknown)}`);
    }
  }
}
