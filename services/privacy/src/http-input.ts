import { customer, isoDateTime } from '@rapport/contracts';
import { z } from 'zod';

/** Customer ids as every contract spells them. */
export const customerIdParam = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:@+-]+$/, 'may only contain letters, digits and _ . : @ + -');

const MAX_AUDIENCE = 1000;

export const consentCheckQuery = z.strictObject({
  purpose: customer.consentPurpose,
  channel: customer.consentChannel,
  customers: z
    .string()
    .transform((value) => [...new Set(value.split(',').map((part) => part.trim()).filter(Boolean))])
    .pipe(z.array(customerIdParam).min(1, 'must name at least one customer id').max(MAX_AUDIENCE, `must name at most ${MAX_AUDIENCE} customer ids`)),
  /** The instant to judge at; now when left out. */
  at: isoDateTime.optional(),
});

export const violationsQuery = z.strictObject({
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  customerId: customerIdParam.optional(),
  cursor: z.string().regex(/^\d{1,18}$/, 'must be the nextCursor of the previous page').optional(),
  limit: z.coerce.number().int('must be a whole number').min(1).max(500).default(100),
});
