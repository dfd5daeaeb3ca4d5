import type { Sql } from '@rapport/projections';
import type { Audience } from '../audience';
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

/**
 * Ranked: exact customer id, then exact email, then phone, then name prefix (full name or
 * last name); within a rank, the most recently seen first. Analysts search by id only.
 */
export async function searchCustomers(db: Sql, q: string, limit: number, cursor: string | undefined, audience: Audience): Promise<SearchPage> {
  const offset = cursor === undefined ? 0 : decodeOffset(cursor);
  const term = q.trim().replace(/\s+/g, ' ');
  const staff = audience === 'staff';
  const name = staff ? escapeLike(term.toLowerCase()) : '';
  const phone = staff ? phoneSearchKey(term) : '';
  const rows = await db.query<{ customer_id: string; rank: number; first_name: string | null; last_name: string | null; email: string | null; phone: string | null; country: string | null; last_seen: Date }>(
    `SELECT customer_id, first_name, last_name, email, phone, country, last_seen,
            CASE WHEN customer_id = $1 THEN 0
                 WHEN $5 AND email_key = lower($1) THEN 1
                 WHEN $2 <> '' AND phone_key LIKE $2 || '%' THEN 2
                 ELSE 3 END AS rank
       FROM customer_profiles.profiles
      WHERE customer_id = $1
         OR ($5 AND email_key = lower($1))
         OR ($2 <> '' AND phone_key LIKE $2 || '%')
         OR ($3 <> '' AND (name_key LIKE $3 || '%' OR last_name_key LIKE $3 || '%'))
      ORDER BY rank, last_seen DESC, customer_id
      LIMIT $4 OFFSET $6`,
    [term, phone, name, limit + 1, staff, offset],
  );
  const page = rows.slice(0, limit);
  return {
    results: page.map((row) => ({
      customerId: row.customer_id,
      match: RANKS[row.rank],
      ...(staff ? { name: [row.first_name, row.last_name].filter(Boolean).join(' ') || null, email: row.email, phone: row.phone } : {}),
      country: row.country,
      lastSeen: row.last_seen.toISOString(),
    })),
    nextCursor: rows.length > limit ? Buffer.from(String(offset + limit)).toString('base64url') : null,
  };
}

function decodeOffset(cursor: string): number {
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(offset) || offset < 0) throw new InvalidQueryError('cursor', 'is not a cursor returned by this API');
  return offset;
}
