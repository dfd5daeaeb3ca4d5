import { isoDateTime, service } from '@rapport/contracts';
import { z } from 'zod';
import { InvalidInputError } from './errors';
import { GROUP_BY } from './read-model/metrics';

/** Request input is validated the platform's way: every problem names its field. */
export { parseInput } from '@rapport/platform';

const idSchema = z.string().regex(/^[A-Za-z0-9_.:@+-]{1,128}$/, 'must be 1–128 letters, digits or _ . : @ + -');
const idempotencyKeySchema = z.string().min(1, 'required').max(200).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters');

/** `GET /v1/cases/by-customer/{customerId}?merged=a,b`: the customer and at most 100 customers merged into it. */
export const customerCasesInput = z.object({
  customerId: idSchema,
  merged: z
    .string()
    .optional()
    .transform((list) => (list ? list.split(',') : []))
    .pipe(z.array(idSchema).max(100, 'at most 100 comma-separated ids')),
});

export const fileComplaintBody = service.complaintFiledData.extend({ complaintId: service.complaintFiledData.shape.complaintId.optional(), customerId: idSchema });
export const respondBody = service.complaintRespondedData.omit({ complaintId: true });
export const escalateBody = service.complaintEscalatedData.omit({ complaintId: true });
export const assignBody = service.complaintAssignedData.omit({ complaintId: true });
export const resolveBody = service.complaintResolvedData.omit({ complaintId: true });
export const reopenBody = service.complaintReopenedData.omit({ complaintId: true });
export const requestCallbackBody = service.callbackRequestedData.extend({ callbackId: service.callbackRequestedData.shape.callbackId.optional(), customerId: idSchema });
export const scheduleBody = service.callbackScheduledData.omit({ callbackId: true });
export const completeBody = service.callbackCompletedData.omit({ callbackId: true });
export const cancelBody = service.callbackCancelledData.omit({ callbackId: true });

const bool = z.enum(['true', 'false']).transform((value) => value === 'true');
export const queueQuery = z.object({
  kind: z.enum(['complaint', 'callback']).optional(),
  status: z.enum(['open', 'responded', 'escalated', 'resolved', 'reopened', 'requested', 'scheduled', 'completed', 'cancelled', 'none']).optional(),
  assignee: idSchema.optional(),
  breached: bool.optional(),
  dueBefore: isoDateTime.optional(),
  customerId: idSchema.optional(),
  cursor: z.string().max(1000).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const metricsQuery = z
  .object({
    from: isoDateTime,
    to: isoDateTime,
    groupBy: z.enum(GROUP_BY).default('month'),
  })
  .refine((query) => Date.parse(query.from) < Date.parse(query.to), { message: 'must be later than from', path: ['to'] });

export function parseId(name: string, value: string): string {
  const result = idSchema.safeParse(value);
  if (!result.success) throw new InvalidInputError(name, result.error.issues[0].message);
  return result.data;
}

/** The Idempotency-Key header every command needs: a retry with the same key is answered, not applied again. */
export function parseIdempotencyKey(header: string | string[] | undefined): string {
  if (header === undefined || header === '') throw new InvalidInputError('Idempotency-Key', 'required: send an Idempotency-Key header with every command');
  const value = Array.isArray(header) ? header[0] : header;
  const result = idempotencyKeySchema.safeParse(value);
  if (!result.success) throw new InvalidInputError('Idempotency-Key', result.error.issues[0].message);
  return result.data;
}

/** If-Match: the stream revision the caller last read (the `revision` of a command answer); -1 for a case with no stream yet. */
export function parseIfMatch(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header[0] : header).replace(/^W\//, '').replace(/^"|"$/g, '');
  if (!/^(-1|\d{1,15})$/.test(value)) throw new InvalidInputError('If-Match', 'must be a revision number from a previous answer');
  return Number(value);
}
