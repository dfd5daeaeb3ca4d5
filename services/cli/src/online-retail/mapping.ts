import type { EventOf, EventType } from '@rapport/contracts';
import { v5 as uuidv5 } from 'uuid';

/** One CSV row of the UCI "Online Retail" file, as text. `row` is its 1-based data row number. */
export interface RetailRow {
  readonly row: number;
  readonly invoiceNo: string;
  readonly stockCode: string;
  readonly description: string;
  readonly quantity: string;
  readonly invoiceDate: string;
  readonly unitPrice: string;
  readonly customerId: string;
  readonly country: string;
}

/** All rows of one invoice, in file order. */
export interface Invoice {
  readonly number: string;
  readonly rows: readonly RetailRow[];
}

/** An event as the importer emits it: the API fills in `version`. */
export type ImportEvent<T extends EventType = EventType> = Omit<EventOf<T>, 'version'>;

export type RetailEvent = ImportEvent<'CustomerRegistered'> | ImportEvent<'OrderPlaced'> | ImportEvent<'OrderReturned'>;

export const IMPORT_SOURCE = 'online-retail-import';

/** Fixed namespace for this importer's UUID v5 ids: the same invoice always gets the same event id. */
export const ONLINE_RETAIL_NAMESPACE = '5d3c8a5e-6f1b-4c52-9a0e-2b7f1d9c4e61';

export const orderEventId = (invoiceNo: string) => uuidv5(`invoice:${invoiceNo}`, ONLINE_RETAIL_NAMESPACE);
export const customerEventId = (customerId: string) => uuidv5(`customer:${customerId}`, ONLINE_RETAIL_NAMESPACE);

/** A row the importer cannot turn into an event; `row` points at the offending CSV row. */
export class RetailMappingError extends Error {
  readonly code = 'RETAIL_MAPPING';

  constructor(
    readonly row: number,
    message: string,
  ) {
    super(`row ${row}: ${message}`);
    this.name = 'RetailMappingError';
  }
}

/**
 * Pounds as written in the file ("2.55", "0.001", "-11062.06") to integer pence, rounding
 * half up at the third decimal. String arithmetic, so 1.005 never becomes 100.49999 pence.
 */
export function parsePence(pounds: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(pounds.trim());
  if (!match) throw new Error(`'${pounds}' is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  const digits = fraction.padEnd(3, '0');
  const pence = Number(whole) * 100 + Number(digits.slice(0, 2)) + (Number(digits[2]) >= 5 ? 1 : 0);
  return sign === '-' && pence !== 0 ? -pence : pence;
}

export function parseQuantity(text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new Error(`quantity '${text}' is not an integer`);
  return Number(text);
}

/** CustomerID is written as a float ("17850.0"); the customer is "17850". Empty means a guest. */
export function parseCustomerId(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const match = /^(\d+)(?:\.0*)?$/.exec(trimmed);
  if (!match) throw new Error(`CustomerID '${text}' is not a whole number`);
  return match[1];
}

const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const HOUR_MS = 3_600_000;
// UK clocks change on the hour (01:00 UTC), so the offset is the same for a whole UTC hour.
const offsetByUtcHour = new Map<number, number>();

/** How far London's wall clock is ahead of UTC at `instant` (0 in winter, one hour in summer). */
function londonOffsetMs(instant: number): number {
  const hour = Math.floor(instant / HOUR_MS);
  let offset = offsetByUtcHour.get(hour);
  if (offset === undefined) {
    const start = hour * HOUR_MS;
    const part = Object.fromEntries(londonParts.formatToParts(new Date(start)).map((p) => [p.type, p.value]));
    offset = Date.UTC(+part.year, +part.month - 1, +part.day, +part.hour, +part.minute, +part.second) - start;
    offsetByUtcHour.set(hour, offset);
  }
  return offset;
}

/**
 * `YYYY-MM-DD HH:MM[:SS]` on a UK wall clock (GMT or BST) to an ISO UTC instant. A time
 * skipped by the spring change reads as the hour after; one repeated in autumn as GMT.
 */
export function londonTimeToUtc(local: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!match) throw new Error(`'${local}' is not a date-time as YYYY-MM-DD HH:MM:SS`);
  const [, year, month, day, hour, minute, second = '0'] = match;
  const asIfUtc = Date.UTC(+year, +month - 1, +day, +hour, +minute, +second);
  const guess = asIfUtc - londonOffsetMs(asIfUtc);
  return new Date(asIfUtc - londonOffsetMs(guess)).toISOString();
}

/** The file's country names to ISO 3166-1 alpha-2; names without one country (e.g. "Channel Islands") map to nothing. */
const COUNTRY_CODES: Readonly<Record<string, string>> = {
  Australia: 'AU',
  Austria: 'AT',
  Bahrain: 'BH',
  Belgium: 'BE',
  Brazil: 'BR',
  Canada: 'CA',
  Cyprus: 'CY',
  'Czech Republic': 'CZ',
  Denmark: 'DK',
  EIRE: 'IE',
  Finland: 'FI',
  France: 'FR',
  Germany: 'DE',
  Greece: 'GR',
  'Hong Kong': 'HK',
  Iceland: 'IS',
  Israel: 'IL',
  Italy: 'IT',
  Japan: 'JP',
  Lebanon: 'LB',
  Lithuania: 'LT',
  Malta: 'MT',
  Netherlands: 'NL',
  Norway: 'NO',
  Poland: 'PL',
  Portugal: 'PT',
  RSA: 'ZA',
  'Saudi Arabia': 'SA',
  Singapore: 'SG',
  Spain: 'ES',
  Sweden: 'SE',
  Switzerland: 'CH',
  'United Arab Emirates': 'AE',
  'United Kingdom': 'GB',
  USA: 'US',
};

export function countryCode(name: string): string | undefined {
  return COUNTRY_CODES[name.trim()];
}

export type InvoiceKind = 'order' | 'return' | 'guest' | 'stock-adjustment';

/**
 * Invoices without a customer are guest checkouts; among them, non-`C` invoices with
 * negative quantities are stock adjustments. `C` invoices are returns.
 */
export function classifyInvoice(invoice: Invoice): InvoiceKind {
  const customerId = parseCustomerId(invoice.rows[0].customerId);
  if (customerId === undefined) {
    const negative = invoice.rows.some((row) => parseQuantity(row.quantity) < 0);
    return negative && !invoice.number.startsWith('C') ? 'stock-adjustment' : 'guest';
  }
  return invoice.number.startsWith('C') ? 'return' : 'order';
}

/** Rows can straddle a minute boundary; the invoice happened when its first row was written. */
function invoiceTime(invoice: Invoice): string {
  const earliest = invoice.rows.reduce((min, row) => (row.invoiceDate < min ? row.invoiceDate : min), invoice.rows[0].invoiceDate);
  return londonTimeToUtc(earliest);
}

function lineOf(row: RetailRow, quantity: number, unitPrice: number) {
  const name = row.description.trim();
  return { sku: row.stockCode.trim(), ...(name ? { name } : {}), quantity, unitPrice };
}

/** Maps one customer invoice to its `OrderPlaced` or `OrderReturned` event. */
export function invoiceEvent(invoice: Invoice): ImportEvent<'OrderPlaced'> | ImportEvent<'OrderReturned'> {
  const first = invoice.rows[0];
  const customerId = parseCustomerId(first.customerId);
  if (customerId === undefined) throw new RetailMappingError(first.row, `invoice ${invoice.number} has no customer`);
  const isReturn = invoice.number.startsWith('C');
  const lines = invoice.rows.map((row) => {
    try {
      const quantity = parseQuantity(row.quantity);
      const unitPrice = parsePence(row.unitPrice);
      if (parseCustomerId(row.customerId) !== customerId) throw new Error(`invoice ${invoice.number} mixes customers`);
      if (isReturn ? quantity >= 0 : quantity <= 0) throw new Error(`quantity ${quantity} in ${isReturn ? 'return' : 'order'} ${invoice.number}`);
      if (unitPrice < 0) throw new Error(`negative unit price ${row.unitPrice}`);
      return lineOf(row, Math.abs(quantity), unitPrice);
    } catch (error) {
      throw error instanceof RetailMappingError ? error : new RetailMappingError(row.row, (error as Error).message);
    }
  });
  const amount = lines.reduce((sum, line) => sum + line.quantity * line.unitPrice, 0);
  const envelope = { id: orderEventId(invoice.number), customerId, occurredAt: invoiceTime(invoice), source: IMPORT_SOURCE };
  if (isReturn) {
    const returned = lines.map(({ sku, quantity, unitPrice }) => ({ sku, quantity, unitPrice }));
    return { ...envelope, type: 'OrderReturned', data: { orderId: invoice.number, refundAmount: amount, currency: 'GBP', lines: returned } };
  }
  return { ...envelope, type: 'OrderPlaced', data: { orderId: invoice.number, channel: 'web', currency: 'GBP', total: amount, lines } };
}

export function customerRegistered(customerId: string, country: string, occurredAt: string): ImportEvent<'CustomerRegistered'> {
  const code = countryCode(country);
  return {
    id: customerEventId(customerId),
    type: 'CustomerRegistered',
    customerId,
    occurredAt,
    source: IMPORT_SOURCE,
    data: { signupChannel: 'import', ...(code ? { country: code } : {}) },
  };
}

export interface ImportTally {
  invoices: number;
  orders: number;
  returns: number;
  customersRegistered: number;
  guestInvoices: number;
  guestReturns: number;
  stockAdjustments: number;
}

export const emptyTally = (): ImportTally => ({
  invoices: 0,
  orders: 0,
  returns: 0,
  customersRegistered: 0,
  guestInvoices: 0,
  guestReturns: 0,
  stockAdjustments: 0,
});

/**
 * Turns invoices into events, registering each customer just before their first order or
 * return. Keeps the counts the import summary reports.
 */
export class RetailEventMapper {
  readonly tally = emptyTally();
  private readonly registered = new Set<string>();

  map(invoice: Invoice): RetailEvent[] {
    this.tally.invoices++;
    const kind = classifyInvoice(invoice);
    switch (kind) {
      case 'guest':
        this.tally.guestInvoices++;
        if (invoice.number.startsWith('C')) this.tally.guestReturns++;
        return [];
      case 'stock-adjustment':
        this.tally.stockAdjustments++;
        return [];
      case 'order':
      case 'return': {
        const event = invoiceEvent(invoice);
        this.tally[kind === 'order' ? 'orders' : 'returns']++;
        const customerId = event.customerId as string;
        if (this.registered.has(customerId)) return [event];
        this.registered.add(customerId);
        this.tally.customersRegistered++;
        return [customerRegistered(customerId, invoice.rows[0].country, event.occurredAt), event];
      }
      default: {
        const unknownKind: never = kind;
        throw new Error(`unknown invoice kind ${String(unknownKind)}`);
      }
    }
  }
}
