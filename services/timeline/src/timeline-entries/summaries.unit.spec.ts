import { exampleEvents, type RapportEvent } from '@rapport/contracts';
import { entryDetails, formatMoney } from './summaries';

describe('timeline summaries', () => {
  it('formats minor units in the currency’s own digits', () => {
    expect(formatMoney(13912, 'GBP')).toBe('£139.12');
    expect(formatMoney(500, 'EUR')).toBe('€5.00');
    expect(formatMoney(1999, 'USD')).toBe('$19.99');
    expect(formatMoney(500, 'JPY')).toBe('¥500');
  });

  it('reads every event type of the catalogue as one line', () => {
    const lines = exampleEvents().map((event) => {
      const details = entryDetails(event as RapportEvent);
      return [event.type, details.summary, details.channel, details.refs.join(' ')];
    });
    expect(lines).toEqual([
      ['VisitRecorded', 'Web visit — 6 pages, 7 min, 2 products viewed', 'web', ''],
      ['CustomerRegistered', 'Registered via web', 'web', ''],
      ['ConsentChanged', 'Consent to marketing by email granted', null, ''],
      ['OrderPlaced', 'Order #ord-536365 placed — 12 items, £33.90', 'web', 'order:ord-536365'],
      ['OrderShipped', 'Order #ord-536365 shipped via Royal Mail', null, 'order:ord-536365'],
      ['OrderDelivered', 'Order #ord-536365 delivered', null, 'order:ord-536365'],
      ['ComplaintFiled', 'Complaint filed: Two lanterns arrived with cracked glass. (medium)', 'email', 'complaint:cmp-42 order:ord-536365'],
      ['ComplaintResponded', 'Complaint cmp-42 answered by email', 'email', 'complaint:cmp-42'],
      ['ComplaintEscalated', 'Complaint cmp-42 escalated to level 1', null, 'complaint:cmp-42'],
      ['CallbackRequested', 'Callback requested for 17:00–19:00 on 2024-03-06', 'phone', 'callback:cb-77 complaint:cmp-42'],
      ['CallbackScheduled', 'Callback scheduled for 2024-03-06 18:00 UTC', 'phone', 'callback:cb-77'],
      ['CallbackCompleted', 'Callback completed: resolved', 'phone', 'callback:cb-77'],
      ['ComplaintResolved', 'Complaint cmp-42 resolved — £5.00 compensation', null, 'complaint:cmp-42'],
      ['OrderReturned', 'Order #ord-536365 returned — 2 items, £6.20 refunded', null, 'order:ord-536365'],
      ['ComplaintReopened', 'Complaint cmp-42 reopened', null, 'complaint:cmp-42'],
      ['FeedbackGiven', 'Feedback: 4/5, NPS 8 on complaint cmp-42', null, 'complaint:cmp-42'],
      ['MessageSent', 'Email sent: Our spring collection (spring-2024)', 'email', ''],
      ['CallbackRequested', 'Callback requested for 09:00–12:00', 'phone', 'callback:cb-78'],
      ['CallbackCancelled', 'Callback cancelled', 'phone', 'callback:cb-78'],
      ['OrderPlaced', 'Order #ord-536520 placed — 1 item, £12.75', 'app', 'order:ord-536520'],
      ['OrderCancelled', 'Order #ord-536520 cancelled', null, 'order:ord-536520'],
      ['CustomerProfileUpdated', 'Profile updated: phone, lastName removed', null, ''],
      ['ComplaintAssigned', 'Complaint cmp-42 assigned to agent-7', null, 'complaint:cmp-42'],
      ['CustomerIdentified', 'Identified (visitor anon-7f3a)', null, ''],
      ['CustomEventTracked', 'Newsletter Opened', null, ''],
    ]);
  });

  it('keeps free text typed by or about the customer out of the analysts’ line', () => {
    const [filed] = exampleEvents().filter((event) => event.type === 'ComplaintFiled');
    expect(entryDetails(filed as RapportEvent).publicSummary).toBe('Complaint filed: product (medium)');
    const message = { ...exampleEvents().find((event) => event.type === 'MessageSent')!, data: { channel: 'sms', direction: 'inbound', subject: 'My address is 1 High St' } };
    expect(entryDetails(message as RapportEvent)).toMatchObject({ summary: 'SMS received: My address is 1 High St', publicSummary: 'SMS received' });
  });

  it('cuts a long summary between characters, never inside a surrogate pair', () => {
    const [filed] = exampleEvents().filter((event) => event.type === 'ComplaintFiled');
    for (const text of [`a${'😀'.repeat(200)}`, `${'😀'.repeat(200)}`, `ab${'😀'.repeat(200)}`]) {
      const { summary } = entryDetails({ ...filed, data: { ...filed.data, summary: text } } as RapportEvent);
      expect(/\p{Cs}/u.test(summary)).toBe(false);
      expect(summary.endsWith('😀…')).toBe(true);
      expect(summary.length).toBeLessThanOrEqual(300);
      expect(summary.length).toBeGreaterThanOrEqual(299);
    }
  });
});
