import type { Sql } from '@rapport/projections';
import type { Audience } from '../audience';
import { IDENTITIES_SCHEMA } from '../identities/queries';
import { InvalidQueryError } from '../errors';

export type MatchKind = 'id' | 'email' | 'phone' | 'name';

export interface CustomerMatch {
  readonly customerId: string;
  readonly match: MatchKind;
  readonly name?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly country: string | null;
  readonly lastSeen: string;
  /** Set when this customer is merged into another: open the survivor (its reads redirect there). */
  readonly mergedInto?: string;
}

export interface SearchPage {
  readonly results: readonly CustomerMatch[];
  readonly nextCursor: string | null;
}

const RANKS: readonly MatchKind[] = ['id', 'email', 'phone', 'name'];
const PHONE_LIKE = /^[+\d\s().-]+$/;

/**
 * The reversed digits a stored phone must start with: "+44 7700 900123", "0044…" and the
 * national "07700 900123" all find +447700900123. Empty when `q` is not a phone number.
 */
export function phoneSearchKey(q: string): string {
  if (!PHONE_LIKE.test(q)) return '';
  let digits = q.replace(/\D/g, '');
  if (!q.trim().startsWith('+')) digits = digits.startsWith('00') ? digits.slice(2) : digits.replace(/^0+/, '');
  return digits.length >= 6 ? [...digits].reverse().join('') : '';
}

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (char) => `\\${char}`);

// Microsecond-exact text of last_seen, so a cursor compares equal to the row it came from.
const SEEN_KEY = `to_char(last_seen AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const SEEN_KEY_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** Where the previous page ended, in the result order (rank, last_seen DESC, customer_id). */
interface After {
  readonly rank: number;
  readonly seenKey: string;
  readonly customerId: string;
}

/**
 * Ranked: exact customer id, then exact email, then phone, then name prefix (full name or
 * last name); within a rank, the most recently seen first. Analysts search by id only.
 * Keyset-paged: customers seen or added while a client pages never shift what it sees next.
 */
export async function searchCustomers(db: Sql, q: string, limit: number, cursor: string | undefined, audience: Audience): Promise<SearchPage> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const term = q.trim().replace(/\s+/g, ' ');
  const staff = audience === 'staff';
  const name = staff ? escapeLike(term.toLowerCase()) : '';
  const phone = staff ? phoneSearchKey(term) : '';
  const rows = await db.query<{ customer_id: string; rank: number; first_name: string | null; last_name: string | null; email: string | null; phone: string | null; country: string | null; last_seen: Date; seen_key: string; merged_into: string | null }>(
    `SELECT * FROM (
       SELECT customer_id, first_name, last_name, email, phone, country, last_seen, ${SEEN_KEY} AS seen_key,
              (SELECT into_id FROM ${IDENTITIES_SCHEMA}.merges g WHERE g.customer_id = p.customer_id AND g.into_id IS NOT NULL) AS merged_into,
              CASE WHEN customer_id = $1 THEN 0
                   WHEN $5 AND email_key = lower($1) THEN 1
                   WHEN $2 <> '' AND phone_key LIKE $2 || '%' THEN 2
                   ELSE 3 END AS rank
         FROM customer_profiles.profiles p
        WHERE customer_id = $1
           OR ($5 AND email_key = lower($1))
           OR ($2 <> '' AND phone_key LIKE $2 || '%')
           OR ($3 <> '' AND (name_key LIKE $3 || '%' OR last_name_key LIKE $3 || '%'))
     ) m
      WHERE $6::int IS NULL OR rank > $6
         OR (rank = $6 AND (last_seen < $7::timestamptz OR (last_seen = $7::timestamptz AND customer_id > $8)))
      ORDER BY rank, last_seen DESC, customer_id
      LIMIT $4`,
    [term, phone, name, limit + 1, staff, after?.rank ?? null, after?.seenKey ?? null, after?.customerId ?? null],
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    results: page.map((row) => ({
      customerId: row.customer_id,
      match: RANKS[row.rank],
      ...(staff ? { name: [row.first_name, row.last_name].filter(Boolean).join(' ') || null, email: row.email, phone: row.phone } : {}),
      country: row.country,
      lastSeen: row.last_seen.toISOString(),
      ...(row.merged_into === null ? {} : { mergedInto: row.merged_into }),
    })),
    nextCursor: rows.length > limit && last ? encodeCursor({ rank: last.rank, seenKey: last.seen_key, customerId: last.customer_id }) : null,
  };
}

/** The exact shape SEEN_KEY writes, and a real date (not 2024-02-31): anything else is not our cursor. */
function isSeenKey(text: string): boolean {
  if (!SEEN_KEY_SHAPE.test(text)) return false;
  const time = Date.parse(text);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 19) === text.slice(0, 19);
}

function encodeCursor(after: After): string {
  return Buffer.from(JSON.stringify([after.rank, after.seenKey, after.customerId])).toString('base64url');
}

function decodeCursor(cursor: string): After {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (Array.isArray(parsed) && parsed.length === 3) {
    const [rank, seenKey, customerId] = parsed as unknown[];
    if (Number.isInteger(rank) && (rank as number) >= 0 && (rank as number) < RANKS.length && typeof seenKey === 'string' && isSeenKey(seenKey) && typeof customerId === 'string') {
      return { rank: rank as number, seenKey, customerId };
    }
  }
  throw new InvalidQueryError('cursor', 'is not a cursor returned by this API');
}
