import { DAY_MS, parseInstant } from '../instants';

/** What serving a customer costs, in base-currency minor units. */
export interface ServiceCosts {
  perComplaint: number;
  perCallback: number;
}

export interface ServiceFacts {
  complaints: number;
  callbacks: number;
  /** Goodwill compensation paid, minor units. */
  goodwillPaid: number;
}

export interface NetValue {
  netSpend: number;
  costToServe: number;
  /** netSpend − costToServe. */
  netValue: number;
  /** Set when the customer costs more than they bring. */
  negativeValue: boolean;
}

/** Net value = net spend − (complaints × cost per complaint + callbacks × cost per callback + goodwill paid). */
export function netValue(netSpend: number, service: ServiceFacts, costs: ServiceCosts): NetValue {
  const costToServe = service.complaints * costs.perComplaint + service.callbacks * costs.perCallback + service.goodwillPaid;
  const value = netSpend - costToServe;
  return { netSpend, costToServe, netValue: value, negativeValue: value < 0 };
}

export interface SpendFact {
  occurredAt: string;
  /** Signed minor units: an order's total is positive, a refund negative. */
  amount: number;
}

export interface GrowthOptions {
  /** Length of each of the two windows, in days. */
  windowDays: number;
  /** Recent spend must be strictly more than ratio × the previous window's. */
  ratio: number;
  /** …and at least this much (minor units), so a few coins after nothing is not growth. */
  minimumAmount: number;
}

export const DEFAULT_GROWTH: Readonly<GrowthOptions> = Object.freeze({ windowDays: 90, ratio: 1.25, minimumAmount: 5_000 });

export interface Growth {
  /** Net spend in (asOf − window, asOf]. */
  recent: number;
  /** Net spend in (asOf − 2 × window, asOf − window]. */
  previous: number;
  growing: boolean;
}

/** Net spend in the last window against the one before; growing when recent > ratio × previous and recent ≥ minimumAmount. */
export function growth(spend: readonly SpendFact[], asOf: string, options: GrowthOptions = DEFAULT_GROWTH): Growth {
  const end = parseInstant(asOf, 'asOf');
  const split = end - options.windowDays * DAY_MS;
  const start = split - options.windowDays * DAY_MS;
  let recent = 0;
  let previous = 0;
  spend.forEach((fact, i) => {
    const at = parseInstant(fact.occurredAt, `spend.${i}.occurredAt`);
    if (at > end || at <= start) return;
    if (at > split) recent += fact.amount;
    else previous += fact.amount;
  });
  return { recent, previous, growing: recent > options.ratio * previous && recent >= options.minimumAmount };
}
