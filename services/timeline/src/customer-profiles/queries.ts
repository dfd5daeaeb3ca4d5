import type { Sql } from '@rapport/projections';
import type { Audience } from '../audience';

export interface Money {
  readonly amount: number;
  readonly currency: string;
}

export interface ProfileSummary {
  readonly customerId: string;
  /** Personal fields; analysts get only country and locale. */
  readonly identity: {
    readonly email?: string | null;
    readonly phone?: string | null;
    readonly firstName?: string | null;
    readonly lastName?: string | null;
    readonly birthDate?: string | null;
    readonly country: string | null;
    readonly locale: string | null;
  };
  readonly signupChannel: string | null;
  readonly registeredAt: string | null;
  readonly consents: ReadonlyArray<{ purpose: string; channel: string; granted: boolean; changedAt: string }>;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** Events about the customer, their linked visitors' included. */
  readonly interactions: number;
  readonly orders: {
    /** Orders placed and not cancelled. */
    readonly count: number;
    /** In the currency the customer ordered in most; null before the first order. */
    readonly netSpend: Money | null;
    readonly byCurrency: ReadonlyArray<{ currency: string; orders: number; gross: number; refunded: number; net: number }>;
  };
  readonly openComplaints: ReadonlyArray<{
    complaintId: string;
    status: string;
    category: string | null;
    severity: string | null;
    orderId: string | null;
    filedAt: string | null;
    escalationLevel: number;
  }>;
  readonly pendingCallbacks: ReadonlyArray<{
    callbackId: string;
    status: string;
    requestedAt: string | null;
    preferredWindow: unknown;
    scheduledFor: string | null;
  }>;
  /**
   * Where the two lists above come from: `cases`, the cases service's read model (the work
   * queue's truth); `timeline`, this service's own rows, when no cases reader is wired in or
   * the cases service did not answer.
   */
  readonly casesSource: 'cases' | 'timeline';
}

interface ProfileRow {
  customer_id: string;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  birth_date: string | null;
  country: string | null;
  locale: string | null;
  signup_channel: string | null;
  registered_at: Date | null;
  consents: Record<string, { granted: boolean; changedAt: string }>;
  first_seen: Date;
  last_seen: Date;
  event_count: string;
}

const isoOrNull = (value: Date | null) => (value ? value.toISOString() : null);

/**
 * The profile of `customerId`, including the rows of `members` (the customers merged into it):
 * identity and consents are the survivor's own, first/last seen, counts, orders, complaints and
 * callbacks are everyone's.
 */
export async function readProfile(db: Sql, customerId: string, audience: Audience, members: readonly string[] = [customerId]): Promise<ProfileSummary | undefined> {
  const profiles = await db.query<ProfileRow>(`SELECT * FROM customer_profiles.profiles WHERE customer_id = ANY($1::text[])`, [members]);
  const own = profiles.find((row) => row.customer_id === customerId);
  if (!own) return undefined;
  const profile: ProfileRow = {
    ...own,
    first_seen: new Date(Math.min(...profiles.map((row) => row.first_seen.getTime()))),
    last_seen: new Date(Math.max(...profiles.map((row) => row.last_seen.getTime()))),
    event_count: String(profiles.reduce((sum, row) => sum + Number(row.event_count), 0)),
  };
  // A visitor's rows and the customer's own are apart (one per source stream): an order
  // placed as a visitor and shipped once known is merged here by its id, latest status first.
  const [spend, complaints, callbacks, interactions] = await Promise.all([
    db.query<{ currency: string; orders: string; gross: string; refunded: string }>(
      `WITH merged AS (
         SELECT order_id, (array_agg(status ORDER BY status_key DESC))[1] AS status,
                (array_agg(currency ORDER BY status_key) FILTER (WHERE total IS NOT NULL))[1] AS currency,
                (array_agg(total ORDER BY status_key) FILTER (WHERE total IS NOT NULL))[1] AS total
           FROM customer_profiles.orders WHERE customer_id = ANY($1::text[]) GROUP BY order_id
       ), placed AS (
         SELECT currency, count(*) AS orders, sum(total) AS gross FROM merged
          WHERE total IS NOT NULL AND status <> 'cancelled' GROUP BY currency
       ), refunded AS (
         SELECT currency, sum(amount) AS refunded FROM customer_profiles.refunds WHERE customer_id = ANY($1::text[]) GROUP BY currency
       )
       SELECT currency, coalesce(p.orders, 0) AS orders, coalesce(p.gross, 0) AS gross, coalesce(r.refunded, 0) AS refunded
         FROM placed p FULL JOIN refunded r USING (currency)
        ORDER BY orders DESC, currency`,
      [members],
    ),
    db.query<{ complaint_id: string; status: string; category: string | null; severity: string | null; order_id: string | null; filed_at: Date | null; escalation_level: number }>(
      `SELECT * FROM (
         SELECT complaint_id, (array_agg(status ORDER BY status_key DESC))[1] AS status,
                (array_agg(category ORDER BY filed_at) FILTER (WHERE filed_at IS NOT NULL))[1] AS category,
                (array_agg(severity ORDER BY filed_at) FILTER (WHERE filed_at IS NOT NULL))[1] AS severity,
                (array_agg(order_id ORDER BY filed_at) FILTER (WHERE filed_at IS NOT NULL))[1] AS order_id,
                min(filed_at) AS filed_at, max(escalation_level) AS escalation_level
           FROM customer_profiles.complaints WHERE customer_id = ANY($1::text[]) GROUP BY complaint_id
       ) c WHERE status <> 'resolved' ORDER BY filed_at NULLS LAST, complaint_id`,
      [members],
    ),
    // A completed or cancelled callback stays so (see profile-state.ts), whichever row says it.
    db.query<{ callback_id: string; status: string; requested_at: Date | null; preferred_window: unknown; scheduled_for: Date | null }>(
      `SELECT * FROM (
         SELECT callback_id, (array_agg(status ORDER BY status IN ('completed', 'cancelled') DESC, status_key DESC))[1] AS status,
                min(requested_at) AS requested_at,
                (array_agg(preferred_window ORDER BY requested_at) FILTER (WHERE requested_at IS NOT NULL))[1] AS preferred_window,
                (array_agg(scheduled_for ORDER BY status_key DESC) FILTER (WHERE scheduled_for IS NOT NULL))[1] AS scheduled_for
           FROM customer_profiles.callbacks WHERE customer_id = ANY($1::text[]) GROUP BY callback_id
       ) c WHERE status IN ('requested', 'scheduled') ORDER BY requested_at NULLS LAST, callback_id`,
      [members],
    ),
    db.query<{ events: string }>(`SELECT coalesce(sum(event_count), 0) AS events FROM customer_profiles.visitors WHERE customer_id = ANY($1::text[])`, [members]),
  ]);
  const byCurrency = spend.map((row) => {
    const gross = Number(row.gross);
    const refunded = Number(row.refunded);
    return { currency: row.currency, orders: Number(row.orders), gross, refunded, net: gross - refunded };
  });
  const main = byCurrency[0];
  const staff = audience === 'staff';
  return {
    customerId: profile.customer_id,
    identity: {
      ...(staff
        ? { email: profile.email, phone: profile.phone, firstName: profile.first_name, lastName: profile.last_name, birthDate: profile.birth_date }
        : {}),
      country: profile.country,
      locale: profile.locale,
    },
    signupChannel: profile.signup_channel,
    registeredAt: isoOrNull(profile.registered_at),
    consents: Object.entries(profile.consents)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, consent]) => {
        const [purpose, channel] = key.split(':');
        return { purpose, channel, granted: consent.granted, changedAt: consent.changedAt };
      }),
    firstSeen: profile.first_seen.toISOString(),
    lastSeen: profile.last_seen.toISOString(),
    interactions: Number(profile.event_count) + Number(interactions[0].events),
    orders: {
      count: byCurrency.reduce((sum, row) => sum + row.orders, 0),
      netSpend: main ? { amount: main.net, currency: main.currency } : null,
      byCurrency,
    },
    openComplaints: complaints.map((row) => ({
      complaintId: row.complaint_id,
      status: row.status,
      category: row.category,
      severity: row.severity,
      orderId: row.order_id,
      filedAt: isoOrNull(row.filed_at),
      escalationLevel: row.escalation_level,
    })),
    pendingCallbacks: callbacks.map((row) => ({
      callbackId: row.callback_id,
      status: row.status,
      requestedAt: isoOrNull(row.requested_at),
      preferredWindow: row.preferred_window,
      scheduledFor: isoOrNull(row.scheduled_for),
    })),
    casesSource: 'timeline',
  };
}
