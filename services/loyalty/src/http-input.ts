import { isoDateTime } from '@rapport/contracts';
import { z } from 'zod';
import { InvalidInputError } from './errors';

/** Request input is validated the platform's way: every problem names its field. */
export { parseInput } from '@rapport/platform';

const MAX_POINTS = 1_000_000_000;

export const customerIdSchema = z.string().regex(/^[A-Za-z0-9_.:@+-]{1,128}$/, 'must be 1–128 letters, digits or _ . : @ + -');

const wholePoints = z.number({ error: 'must be a number' }).int('must be a whole number of points');
const reason = z.string().min(1).max(500).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');
const idempotencyKey = z.string().min(1).max(200).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

export const redemptionBody = z.strictObject({
  points: wholePoints.positive('must be at least 1').max(MAX_POINTS, `must be at most ${MAX_POINTS}`),
  reason,
  idempotencyKey,
});

export const adjustmentBody = z.strictObject({
  points: wholePoints.min(-MAX_POINTS).max(MAX_POINTS).refine((value) => value !== 0, 'must not be 0'),
  reason,
  idempotencyKey,
});

export const accountQuery = z.object({ asOf: isoDateTime.optional() });
export const ledgerQuery = z.object({
  cursor: z.string().regex(/^\d{1,15}$/, 'must be the nextCursor of a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const simulationBody = z.strictObject({ rules: z.string().min(1).max(1_000_000), from: isoDateTime.optional(), to: isoDateTime.optional(), keep: z.boolean().optional() });
export const summaryQuery = z.object({ from: isoDateTime.optional(), to: isoDateTime.optional() });

export function parseCustomerId(customerId: string): string {
  const result = customerIdSchema.safeParse(customerId);
  if (!result.success) throw new InvalidInputError('customerId', result.error.issues[0].message);
  return result.data;
}
