const CURRENCY_DIGITS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0 };

// Intl formatters are costly to build (toLocaleString with options builds one per call):
// make each once, since a scrolling timeline formats dates on every frame.
const currencyFormats = new Map<string, Intl.NumberFormat>();
const DATE_TIME = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const DATE = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
const NUMBER = new Intl.NumberFormat('en-GB');

/** Minor units to a display amount, e.g. 528863 GBP → £5,288.63. */
export function money(amount: number, currency: string): string {
  const digits = CURRENCY_DIGITS[currency] ?? 2;
  let format = currencyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-GB', { style: 'currency', currency, minimumFractionDigits: digits });
    currencyFormats.set(currency, format);
  }
  return format.format(amount / 10 ** digits);
}

export const points = (value: number) => NUMBER.format(value);

export const dateTime = (iso: string) => DATE_TIME.format(new Date(iso));

export const date = (iso: string) => DATE.format(new Date(iso));
