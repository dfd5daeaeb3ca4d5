import type { EventType } from './catalogue';

/** How a personal field reads once its customer is erased: a value its schema still accepts, and plainly not data. */
export const ERASED_MARKERS = {
  email: 'erased@erased.invalid',
  phone: '+10000000000',
  text: '[erased]',
  date: '1900-01-01',
} as const;

export type PersonalFieldKind = keyof typeof ERASED_MARKERS;

/**
 * The personal fields of each event type's `data`: stored encrypted with the customer's data
 * key, and read as their marker once the key is destroyed. Top-level fields only.
 */
export const PERSONAL_FIELDS: Partial<Record<EventType, Readonly<Record<string, PersonalFieldKind>>>> = {
  CustomerRegistered: { email: 'email', phone: 'phone', firstName: 'text', lastName: 'text', birthDate: 'date' },
  CustomerProfileUpdated: { email: 'email', phone: 'phone', firstName: 'text', lastName: 'text', birthDate: 'date' },
  CustomerIdentified: { email: 'email', phone: 'phone' },
  ComplaintFiled: { summary: 'text' },
  ComplaintResponded: { message: 'text' },
  ComplaintResolved: { resolution: 'text' },
  CallbackRequested: { phone: 'phone', reason: 'text' },
  CallbackCompleted: { notes: 'text' },
  FeedbackGiven: { comment: 'text' },
  MessageSent: { subject: 'text' },
};

export function personalFieldsOf(type: string): Readonly<Record<string, PersonalFieldKind>> | undefined {
  return Object.hasOwn(PERSONAL_FIELDS, type) ? PERSONAL_FIELDS[type as EventType] : undefined;
}

/**
 * The data as it reads after erasure: every personal field present (and not null) becomes its
 * marker. Read models scrub with it on CustomerErased, and the store decodes destroyed-key
 * fields the same way, so a rebuild after erasure gives the rows the live model scrubbed to.
 */
export function erasePersonalData<D>(type: string, data: D): D {
  const fields = personalFieldsOf(type);
  if (!fields || typeof data !== 'object' || data === null) return data;
  const erased: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const [field, kind] of Object.entries(fields)) {
    if (erased[field] !== undefined && erased[field] !== null) erased[field] = ERASED_MARKERS[kind];
  }
  return erased as D;
}
