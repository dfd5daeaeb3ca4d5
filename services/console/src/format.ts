const CURRENCY_DIGITS: Readonly<Record<string, number>> = { JPY: 0, KRW: 0 };

/** Minor units to a display amount, e.g. 528863 GBP → £5,288.63. */
export function money(amount: number, currency: string): string {
  const digits = CURRENCY_DIGITS[currency] ?? 2;
  return new Intl.NumberFormat('en-GB', { style: 'currency', currency, minimumFractionDigits: digits }).format(amount / 10 ** digits);
}

export const points = (value: number) => value.toLocaleString('en-GB');

export const dateTime = (iso: string) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

export const date = (iso: string) => new Date(iso).toLocaleDateString('en-GB', { dateStyle: 'medium', timeZone: 'UTC' });
