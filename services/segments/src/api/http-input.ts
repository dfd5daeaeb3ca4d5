import { isoDateTime } from '@rapport/contracts';
import { z } from 'zod';
import { SEGMENTS, type Segment } from '../scoring/segment-map';
import { InvalidInputError } from '../errors';

/** Request input is validated the platform's way: every problem names its field. */
export { parseInput } from '@rapport/platform';

export const MAX_PAGE = 1000;

export const asOfQuery = z.strictObject({ asOf: isoDateTime.optional() });
export const movementsQuery = z.strictObject({ from: isoDateTime, to: isoDateTime });
export const recomputeBody = z.strictObject({ asOf: isoDateTime.optional() });
export const validationQuery = z.strictObject({ calibrationEnd: isoDateTime, holdoutEnd: isoDateTime });

export const SORTS = ['customerId', 'netValue', 'monetary', 'clv'] as const;
export type Sort = (typeof SORTS)[number];

export const customersQuery = z.strictObject({
  asOf: isoDateTime.optional(),
  sort: z.enum(SORTS).default('customerId'),
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').max(MAX_PAGE, `must be at most ${MAX_PAGE}`).default(100),
  /** A CSV export for this purpose lists only customers who consent to it on `channel` now. */
  purpose: z.enum(['marketing', 'profiling', 'analytics', 'service']).optional(),
  channel: z.enum(['email', 'sms', 'phone', 'post', 'any']).optional(),
}).refine((query) => (query.purpose === undefined) === (query.channel === undefined), {
  message: 'purpose and channel go together',
  path: ['channel'],
});

export const customerIdSchema = z.string().regex(/^[A-Za-z0-9_.:@+-]{1,128}$/, 'must be 1–128 letters, digits or _ . : @ + -');

export function parseSegment(value: string): Segment {
  if (!(SEGMENTS as readonly string[]).includes(value)) throw new InvalidInputError('segment', `unknown segment; one of ${SEGMENTS.join(', ')}`);
  return value as Segment;
}

export function parseCustomerId(value: string): string {
  const result = customerIdSchema.safeParse(value);
  if (!result.success) throw new InvalidInputError('customerId', result.error.issues[0].message);
  return value;
}

/** A keyset position: the sort value and customer id of the last row of a page, opaque to clients. */
export interface Cursor {
  readonly sort: Sort;
  readonly value: number | null;
  readonly customerId: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.value, cursor.customerId])).toString('base64url');
}

export function decodeCursor(text: string, sort: Sort): Cursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidInputError('cursor', 'must be the nextCursor of a previous page');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || typeof parsed[2] !== 'string' || !(parsed[1] === null || Number.isFinite(parsed[1]))) {
    throw new InvalidInputError('cursor', 'must be the nextCursor of a previous page');
  }
  if (parsed[0] !== sort) throw new InvalidInputError('cursor', `was made for sort=${String(parsed[0])}; ask again with that sort or without a cursor`);
  return { sort, value: parsed[1] as number | null, customerId: parsed[2] };
}
