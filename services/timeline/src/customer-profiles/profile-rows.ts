/**
 * Rows of the profile read model as plain objects. Orders, refunds, complaints and
 * callbacks are kept per source stream (`stream_id`), so a visitor's rows stay apart from
 * the customer's and only their owner (`customer_id`) changes when the visitor is linked.
 */

export const IDENTITY_FIELDS = {
  email: 'email',
  phone: 'phone',
  firstName: 'first_name',
  lastName: 'last_name',
  country: 'country',
  locale: 'locale',
  birthDate: 'birth_date',
} as const;
type IdentityColumn = (typeof IDENTITY_FIELDS)[keyof typeof IDENTITY_FIELDS];

export interface Consent {
  readonly granted: boolean;
  readonly changedAt: string;
  readonly key: string;
}

export type ProfileRow = { customer_id: string } & Record<IdentityColumn, string | null> & {
    signup_channel: string | null;
    registered_at: string | null;
    /** Sort key of the registration that set signup_channel and registered_at (the earliest wins). */
    registration_key: string | null;
    /** Per identity column, the sort key of the event that last set it. */
    field_versions: Record<string, string>;
    consents: Record<string, Consent>;
    /** Seen in the customer's own events; first_seen and last_seen add their linked visitors'. */
    own_first_seen: string;
    own_last_seen: string;
    first_seen: string;
    last_seen: string;
    /** Events of the customer's own stream applied: a count, so a double application shows. */
    event_count: number;
  };

/** Owner of a row: the customer, or the visitor's linked customer (null while unlinked). */
interface Owned {
  stream_id: string;
  customer_id: string | null;
}

export interface OrderRow extends Owned {
  order_id: string;
  currency: string | null;
  total: number | null;
  placed_at: string | null;
  status: string;
  status_key: string;
}

export interface RefundRow extends Owned {
  event_id: string;
  order_id: string;
  currency: string;
  amount: number;
  returned_at: string;
}

export interface ComplaintRow extends Owned {
  complaint_id: string;
  status: string;
  status_key: string;
  filed_at: string | null;
  category: string | null;
  severity: string | null;
  order_id: string | null;
  escalation_level: number;
}

export interface CallbackRow extends Owned {
  callback_id: string;
  status: string;
  status_key: string;
  requested_at: string | null;
  preferred_window: unknown;
  scheduled_for: string | null;
  outcome: string | null;
}

/** A visitor and the customer it belongs to under the identity rule (`link_position` = the winning claim's). */
export interface VisitorRow {
  anonymous_id: string;
  customer_id: string | null;
  link_position: number | null;
  /** Null until the visitor's own first event (a registration may name it earlier). */
  first_seen: string | null;
  last_seen: string | null;
  event_count: number;
}

/** Every registration's claim on a visitor, the losing ones included: conflicts stay visible. */
export interface VisitorClaimRow {
  anonymous_id: string;
  customer_id: string;
  position: number;
  event_id: string;
}

/** What a batch reads before folding and writes back after. */
export interface ProfileBatchState {
  readonly profiles: Map<string, ProfileRow>;
  readonly orders: Map<string, OrderRow>;
  readonly complaints: Map<string, ComplaintRow>;
  readonly callbacks: Map<string, CallbackRow>;
  readonly visitors: Map<string, VisitorRow>;
  readonly refunds: RefundRow[];
  readonly claims: VisitorClaimRow[];
  /** Visitors whose owner the batch changed, with the owner they had before it. */
  readonly relinked: Map<string, string | null>;
  /** Keys of rows changed by the batch, per map. */
  readonly touched: { profiles: Set<string>; orders: Set<string>; complaints: Set<string>; callbacks: Set<string>; visitors: Set<string> };
}

export function emptyBatchState(): ProfileBatchState {
  return {
    profiles: new Map(),
    orders: new Map(),
    complaints: new Map(),
    callbacks: new Map(),
    visitors: new Map(),
    refunds: [],
    claims: [],
    relinked: new Map(),
    touched: { profiles: new Set(), orders: new Set(), complaints: new Set(), callbacks: new Set(), visitors: new Set() },
  };
}

export const keyOf = (streamId: string, id: string) => `${streamId}\u0000${id}`;
