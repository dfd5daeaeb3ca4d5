import { parseEvent, type RapportEvent } from '@rapport/contracts';
import type { FieldError } from '@rapport/platform';
import { derivedEventId, isObject, type Json, type SegmentMessage } from './segment-message';

type Draft = { type: RapportEvent['type']; data: Json };

const ORDER_CHANNELS = ['web', 'app', 'store', 'phone', 'marketplace'];
const digitsByCurrency = new Map<string, number>();

/** Decimal amounts as Segment's e-commerce spec sends them (`33.9` USD) to minor units (`3390`), by the currency's own digits. */
function minorUnits(amount: unknown, currency: string): unknown {
  if (typeof amount !== 'number' || !Number.isFinite(amount)) return amount;
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2; // the contract names the bad currency itself
    }
    digitsByCurrency.set(currency, digits);
  }
  return Math.round(amount * 10 ** digits);
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined);
const objectAt = (value: unknown): Json => (isObject(value) ? value : {});
const defined = (data: Record<string, unknown>): Json => Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));

function currencyOf(properties: Json): string {
  return typeof properties.currency === 'string' ? properties.currency.toUpperCase() : 'USD';
}

function products(properties: Json): Json[] {
  return Array.isArray(properties.products) ? properties.products.map(objectAt) : [];
}

function orderPlaced(properties: Json, context: Json): Draft {
  const currency = currencyOf(properties);
  const lines = products(properties).map((product) =>
    defined({
      sku: text(product.sku) ?? text(product.product_id),
      name: text(product.name),
      quantity: product.quantity ?? 1,
      unitPrice: minorUnits(product.price ?? 0, currency),
    }),
  );
  const channel = typeof properties.channel === 'string' && ORDER_CHANNELS.includes(properties.channel) ? properties.channel : context.app ? 'app' : 'web';
  return {
    type: 'OrderPlaced',
    data: { orderId: text(properties.order_id) ?? text(properties.checkout_id), channel, currency, total: minorUnits(properties.total ?? properties.revenue, currency), lines },
  };
}

function orderReturned(properties: Json): Draft {
  const currency = currencyOf(properties);
  const lines = products(properties).map((product) =>
    defined({ sku: text(product.sku) ?? text(product.product_id), quantity: product.quantity ?? 1, unitPrice: product.price === undefined ? undefined : minorUnits(product.price, currency) }),
  );
  const refund = properties.total ?? properties.revenue ?? properties.value;
  return { type: 'OrderReturned', data: defined({ orderId: text(properties.order_id), refundAmount: minorUnits(refund, currency), currency, lines, reason: text(properties.reason) }) };
}

/** Page views and product views are visits of one page, grouped by session: the emitter's session id, else the subject's day. */
function pageView(message: SegmentMessage, channel: 'web' | 'app', properties: Json, extra: Json = {}): Draft {
  const context = objectAt(message.raw.context);
  const page = objectAt(context.page);
  const subjectId = 'customerId' in message.subject ? message.subject.customerId : message.subject.anonymousId;
  const sessionId =
    text(properties.session_id) ?? text(context.sessionId) ?? text(context.session_id) ?? `${subjectId.slice(0, 110)}:${message.occurredAt.slice(0, 10)}`;
  return {
    type: 'VisitRecorded',
    data: defined({
      sessionId,
      channel,
      pages: 1,
      landingPage: text(properties.url) ?? text(page.url) ?? (channel === 'app' ? text(message.raw.name) : undefined),
      referrer: text(properties.referrer) ?? text(page.referrer),
      campaign: text(objectAt(context.campaign).name),
      ...extra,
    }),
  };
}

function customEvent(name: unknown, properties: unknown): Draft {
  return { type: 'CustomEventTracked', data: defined({ name: typeof name === 'string' ? name : undefined, properties: isObject(properties) && Object.keys(properties).length > 0 ? properties : undefined }) };
}

function profileTraits(traits: Json): Json {
  const address = objectAt(traits.address);
  const country = text(address.country);
  const birthday = text(traits.birthday);
  return defined({
    email: text(traits.email),
    phone: text(traits.phone),
    firstName: text(traits.firstName) ?? text(traits.first_name),
    lastName: text(traits.lastName) ?? text(traits.last_name),
    // Free-text countries ("Germany") and full timestamps are left out rather than refused.
    country: country && /^[A-Za-z]{2}$/.test(country) ? country.toUpperCase() : undefined,
    birthDate: birthday && /^\d{4}-\d{2}-\d{2}/.test(birthday) ? birthday.slice(0, 10) : undefined,
  });
}

/**
 * identify: `traits.createdAt` (Segment's "account created") makes it the registration, which
 * also claims the anonymous id; otherwise profile traits are an update and an anonymous id
 * beside the userId is a link of its own. Decided from the message alone, so a re-send maps the same.
 */
function identify(message: SegmentMessage): Draft[] {
  if (!('customerId' in message.subject)) return []; // a visitor's traits have no contract yet
  const traits = objectAt(message.raw.traits);
  const profile = profileTraits(traits);
  if (traits.createdAt !== undefined) return [{ type: 'CustomerRegistered', data: defined({ ...profile, previousAnonymousId: message.linkedAnonymousId }) }];
  const drafts: Draft[] = [];
  if (Object.keys(profile).length > 0) drafts.push({ type: 'CustomerProfileUpdated', data: profile });
  if (message.linkedAnonymousId) drafts.push({ type: 'CustomerIdentified', data: { anonymousId: message.linkedAnonymousId, via: 'identify' } });
  return drafts;
}

function track(message: SegmentMessage): Draft[] {
  const { event } = message.raw;
  const properties = objectAt(message.raw.properties);
  const context = objectAt(message.raw.context);
  switch (event) {
    case 'Order Completed':
      return [orderPlaced(properties, context)];
    case 'Order Refunded':
      return [orderReturned(properties)];
    case 'Order Cancelled':
      return [{ type: 'OrderCancelled', data: defined({ orderId: text(properties.order_id), reason: text(properties.reason) }) }];
    case 'Product Viewed': {
      const sku = text(properties.sku) ?? text(properties.product_id);
      return [pageView(message, context.app ? 'app' : 'web', properties, sku ? { productsViewed: [sku] } : {})];
    }
    default:
      return [customEvent(event, message.raw.properties)];
  }
}

function drafts(message: SegmentMessage, errors: FieldError[]): Draft[] {
  const { raw } = message;
  switch (message.type) {
    case 'track':
      if (typeof raw.event !== 'string' || raw.event === '') errors.push({ path: 'event', message: raw.event === undefined ? 'required' : 'must be a non-empty string' });
      return track(message);
    case 'identify':
      return identify(message);
    case 'page':
      return [pageView(message, 'web', objectAt(raw.properties))];
    case 'screen':
      return [pageView(message, 'app', objectAt(raw.properties))];
    case 'group': {
      const groupId = text(raw.groupId);
      if (!groupId) errors.push({ path: 'groupId', message: 'required' });
      return [customEvent('Group', defined({ groupId, traits: isObject(raw.traits) ? raw.traits : undefined }))];
    }
    case 'alias': {
      const previousId = text(raw.previousId);
      if (!('customerId' in message.subject)) errors.push({ path: 'userId', message: 'required for alias' });
      if (!previousId) errors.push({ path: 'previousId', message: 'required' });
      return [{ type: 'CustomerIdentified', data: { anonymousId: previousId, via: 'alias' } }];
    }
    default: {
      const unknown: never = message.type;
      throw new Error(`no mapping for ${String(unknown)}`);
    }
  }
}

// Where a contract field came from in the Segment message, so a problem names what the emitter sent.
const ORIGIN: Record<string, string> = { customerId: 'userId', anonymousId: 'anonymousId', occurredAt: 'timestamp' };

function originOf(message: SegmentMessage, draft: Draft, path: string): string {
  const [head, field] = path.split('.');
  if (head !== 'data') return ORIGIN[head!] ?? path;
  if (message.type === 'alias' && field === 'anonymousId') return 'previousId';
  if (message.type === 'track' && draft.type === 'CustomEventTracked' && field === 'name') return 'event';
  const root = message.type === 'identify' ? 'traits' : message.type === 'group' ? '' : 'properties';
  return `${root}${root && field ? '.' : ''}${field ?? ''}` || 'properties';
}

/**
 * The contract events one Segment message stands for (zero, one or two), validated, with ids
 * derived from its messageId; or every problem, named by the Segment field it came from.
 */
export function eventsOfMessage(message: SegmentMessage, source: string): { ok: true; events: RapportEvent[] } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const found = drafts(message, errors);
  if (errors.length > 0) return { ok: false, errors };
  const events: RapportEvent[] = [];
  found.forEach((draft, part) => {
    const result = parseEvent({ id: derivedEventId(message.messageKey, part), ...draft, ...message.subject, occurredAt: message.occurredAt, source });
    if (result.ok) events.push(result.event);
    else for (const error of result.errors) errors.push({ path: originOf(message, draft, error.path), message: `${draft.type} ${error.path}: ${error.message}` });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, events };
}
