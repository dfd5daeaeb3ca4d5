import { isLoyaltyEventType, isSegmentEventType, type LoyaltyEvent, type RapportEvent, type SegmentEvent } from '@rapport/contracts';
import { loyaltyEntryDetails } from './loyalty-summaries';
import { segmentEntryDetails } from './segment-summaries';

/** What one event contributes to a timeline entry besides its envelope. */
export interface EntryDetails {
  readonly channel: string | null;
  /** One line for support staff. */
  readonly summary: string;
  /** The same line without free text typed by or about the customer, for analysts. */
  readonly publicSummary: string;
  readonly amount: number | null;
  readonly currency: string | null;
  /** Things the entry is about (`order:<id>`, `complaint:<id>`, …); entries sharing one are linked. */
  readonly refs: readonly string[];
}

const MAX_SUMMARY = 300;
const formatters = new Map<string, Intl.NumberFormat>();

/** Minor units to a display amount: 13912 GBP → "£139.12", 500 JPY → "¥500". */
export function formatMoney(minor: number, currency: string): string {
  let format = formatters.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-GB', { style: 'currency', currency, currencyDisplay: 'narrowSymbol' });
    formatters.set(currency, format);
  }
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
const words = (value: string) => value.replace(/_/g, ' ');
// A cut inside a surrogate pair leaves a lone surrogate, which the read model cannot store.
const clip = (text: string) => {
  if (text.length <= MAX_SUMMARY) return text;
  const end = /[\ud800-\udbff]/.test(text[MAX_SUMMARY - 2]) ? MAX_SUMMARY - 2 : MAX_SUMMARY - 1;
  return `${text.slice(0, end)}…`;
};
const quantityOf = (lines: readonly { quantity: number }[]) => lines.reduce((sum, line) => sum + line.quantity, 0);
const ref = (kind: string, id: string | undefined) => (id === undefined ? [] : [`${kind}:${id}`]);
const MESSAGE_NOUN: Record<string, string> = { email: 'Email', sms: 'SMS', chat: 'Chat message', phone: 'Phone call' };

function same(summary: string, rest: Omit<EntryDetails, 'summary' | 'publicSummary'>): EntryDetails {
  return { summary: clip(summary), publicSummary: clip(summary), ...rest };
}

const NO_AMOUNT = { amount: null, currency: null } as const;

/** The timeline's reading of one event: a pure function of the event, so rebuilds give the same rows. */
export function entryDetails(event: RapportEvent | LoyaltyEvent | SegmentEvent): EntryDetails {
  if (isLoyaltyEventType(event.type)) return loyaltyEntryDetails(event as LoyaltyEvent);
  if (isSegmentEventType(event.type)) return segmentEntryDetails(event as SegmentEvent);
  event = event as RapportEvent;
  switch (event.type) {
    case 'CustomerRegistered': {
      const via = event.data.signupChannel;
      const summary = via === 'import' ? 'Customer imported' : via ? `Registered via ${via}` : 'Registered';
      return same(summary, { channel: via && via !== 'import' ? via : null, ...NO_AMOUNT, refs: [] });
    }
    case 'CustomerProfileUpdated': {
      const fields = Object.entries(event.data)
        .filter(([, value]) => value !== undefined)
        .map(([field, value]) => (value === null ? `${field} removed` : field));
      return same(`Profile updated: ${fields.join(', ')}`, { channel: null, ...NO_AMOUNT, refs: [] });
    }
    case 'CustomerErased':
      return same('Personal data erased', { channel: null, ...NO_AMOUNT, refs: [] });
    case 'ConsentChanged': {
      const { purpose, channel, granted } = event.data;
      const by = channel === 'any' ? '' : ` by ${channel}`;
      return same(`Consent to ${purpose}${by} ${granted ? 'granted' : 'withdrawn'}`, { channel: null, ...NO_AMOUNT, refs: [] });
    }
    case 'VisitRecorded': {
      const { channel, pages, durationSeconds, productsViewed } = event.data;
      const parts = [
        pages !== undefined ? plural(pages, 'page') : undefined,
        durationSeconds !== undefined ? `${Math.max(1, Math.round(durationSeconds / 60))} min` : undefined,
        productsViewed?.length ? `${plural(productsViewed.length, 'product')} viewed` : undefined,
      ].filter((part) => part !== undefined);
      const where = channel === 'store' ? 'Store visit' : channel === 'app' ? 'App visit' : 'Web visit';
      return same(parts.length ? `${where} — ${parts.join(', ')}` : where, { channel, ...NO_AMOUNT, refs: [] });
    }
    case 'OrderPlaced': {
      const { orderId, total, currency, lines, channel } = event.data;
      const summary = `Order #${orderId} placed — ${plural(quantityOf(lines), 'item')}, ${formatMoney(total, currency)}`;
      return same(summary, { channel, amount: total, currency, refs: ref('order', orderId) });
    }
    case 'OrderShipped': {
      const { orderId, carrier } = event.data;
      return same(`Order #${orderId} shipped${carrier ? ` via ${carrier}` : ''}`, { channel: null, ...NO_AMOUNT, refs: ref('order', orderId) });
    }
    case 'OrderDelivered':
      return same(`Order #${event.data.orderId} delivered`, { channel: null, ...NO_AMOUNT, refs: ref('order', event.data.orderId) });
    case 'OrderCancelled':
      return same(`Order #${event.data.orderId} cancelled`, { channel: null, ...NO_AMOUNT, refs: ref('order', event.data.orderId) });
    case 'OrderReturned': {
      const { orderId, refundAmount, currency, lines } = event.data;
      const summary = `Order #${orderId} returned — ${plural(quantityOf(lines), 'item')}, ${formatMoney(refundAmount, currency)} refunded`;
      return same(summary, { channel: null, amount: refundAmount, currency, refs: ref('order', orderId) });
    }
    case 'ComplaintFiled': {
      const { complaintId, category, severity, channel, orderId, summary } = event.data;
      return {
        summary: clip(`Complaint filed: ${summary} (${severity})`),
        publicSummary: `Complaint filed: ${category} (${severity})`,
        channel,
        ...NO_AMOUNT,
        refs: [...ref('complaint', complaintId), ...ref('order', orderId)],
      };
    }
    case 'ComplaintResponded': {
      const { complaintId, channel } = event.data;
      return same(`Complaint ${complaintId} answered${channel ? ` by ${channel}` : ''}`, { channel: channel ?? null, ...NO_AMOUNT, refs: ref('complaint', complaintId) });
    }
    case 'ComplaintEscalated':
      return same(`Complaint ${event.data.complaintId} escalated to level ${event.data.level}`, {
        channel: null,
        ...NO_AMOUNT,
        refs: ref('complaint', event.data.complaintId),
      });
    case 'ComplaintResolved': {
      const { complaintId, compensation } = event.data;
      const paid = compensation ? ` — ${formatMoney(compensation.amount, compensation.currency)} compensation` : '';
      return same(`Complaint ${complaintId} resolved${paid}`, {
        channel: null,
        amount: compensation?.amount ?? null,
        currency: compensation?.currency ?? null,
        refs: ref('complaint', complaintId),
      });
    }
    case 'ComplaintAssigned':
      return same(`Complaint ${event.data.complaintId} assigned to ${event.data.assigneeId}`, { channel: null, ...NO_AMOUNT, refs: ref('complaint', event.data.complaintId) });
    case 'SlaBreached': {
      const { caseKind, caseId, metric, dueAt } = event.data;
      const due = `${new Date(dueAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      return same(`SLA breached: ${words(metric)} on ${caseKind} ${caseId} (due ${due})`, { channel: null, ...NO_AMOUNT, refs: ref(caseKind, caseId) });
    }
    case 'SlaBreachWithdrawn': {
      const { caseKind, caseId, metric, dueAt, reason } = event.data;
      const due = `${new Date(dueAt).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      return same(`SLA breach withdrawn: ${words(metric)} on ${caseKind} ${caseId} (due ${due}; ${reason})`, { channel: null, ...NO_AMOUNT, refs: ref(caseKind, caseId) });
    }
    case 'ComplaintReopened':
      return same(`Complaint ${event.data.complaintId} reopened`, { channel: null, ...NO_AMOUNT, refs: ref('complaint', event.data.complaintId) });
    case 'CallbackRequested': {
      const { callbackId, preferredWindow, complaintId, orderId } = event.data;
      const on = preferredWindow.date ? ` on ${preferredWindow.date}` : '';
      return same(`Callback requested for ${preferredWindow.from}–${preferredWindow.to}${on}`, {
        channel: 'phone',
        ...NO_AMOUNT,
        refs: [...ref('callback', callbackId), ...ref('complaint', complaintId), ...ref('order', orderId)],
      });
    }
    case 'CallbackScheduled': {
      const when = `${new Date(event.data.scheduledFor).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
      return same(`Callback scheduled for ${when}`, { channel: 'phone', ...NO_AMOUNT, refs: ref('callback', event.data.callbackId) });
    }
    case 'CallbackCompleted':
      return same(`Callback completed: ${words(event.data.outcome)}`, { channel: 'phone', ...NO_AMOUNT, refs: ref('callback', event.data.callbackId) });
    case 'CallbackCancelled':
      return same('Callback cancelled', { channel: 'phone', ...NO_AMOUNT, refs: ref('callback', event.data.callbackId) });
    case 'FeedbackGiven': {
      const { rating, nps, orderId, complaintId } = event.data;
      const scores = [rating !== undefined ? `${rating}/5` : undefined, nps !== undefined ? `NPS ${nps}` : undefined].filter(Boolean).join(', ');
      const about = orderId ? ` on order #${orderId}` : complaintId ? ` on complaint ${complaintId}` : '';
      return same(`Feedback: ${scores}${about}`, { channel: null, ...NO_AMOUNT, refs: [...ref('order', orderId), ...ref('complaint', complaintId)] });
    }
    case 'MessageSent': {
      const { channel, direction, subject, campaign, complaintId } = event.data;
      const noun = MESSAGE_NOUN[channel] ?? 'Message';
      const verb = channel === 'phone' ? (direction === 'inbound' ? 'received' : 'made') : direction === 'inbound' ? 'received' : 'sent';
      const tail = campaign ? ` (${campaign})` : '';
      return {
        summary: clip(`${noun} ${verb}${subject ? `: ${subject}` : ''}${tail}`),
        publicSummary: `${noun} ${verb}${tail}`,
        channel,
        ...NO_AMOUNT,
        refs: ref('complaint', complaintId),
      };
    }
    case 'CustomEventTracked':
      // Property values are the emitter's free data: staff see the name, analysts too.
      return same(event.data.name, { channel: null, ...NO_AMOUNT, refs: [] });
    case 'CustomerIdentified': {
      const { via, anonymousId } = event.data;
      const how = via === 'alias' ? 'Identified by alias' : via === 'login' ? 'Signed in' : 'Identified';
      return {
        summary: clip(anonymousId ? `${how} (visitor ${anonymousId})` : how),
        publicSummary: how,
        channel: null,
        ...NO_AMOUNT,
        refs: [],
      };
    }
    // The timeline projection does not subscribe to these (merges are resolved at read time); named for completeness.
    case 'CustomersMerged':
      return same(`Merged into customer ${event.data.into}`, { channel: null, ...NO_AMOUNT, refs: [] });
    case 'CustomersUnmerged':
      return same(`Unmerged from customer ${event.data.from}`, { channel: null, ...NO_AMOUNT, refs: [] });
    default: {
      const unknown: never = event;
      throw new Error(`no timeline reading for ${(unknown as { type: string }).type}`);
    }
  }
}
