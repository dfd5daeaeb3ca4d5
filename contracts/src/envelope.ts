import { z } from 'zod';
import { formatError, identifier, isoDateTime, line } from './fields';

/** The staff member who caused an event, when one did. */
export interface Actor {
  id: string;
  name?: string;
}

/** Every event is about exactly one known customer or one not-yet-known visitor. */
export type Subject =
  | { customerId: string; anonymousId?: undefined }
  | { anonymousId: string; customerId?: undefined };

/** An event as Rapport hands it out: `version` is always set (the latest, after upcasting). */
export type Envelope<T extends string, D> = {
  /** UUID chosen by the emitter; the idempotency key. */
  id: string;
  type: T;
  version: number;
  /** ISO-8601 instant on the emitter's clock. */
  occurredAt: string;
  /** The emitting system, e.g. `shop` or `support-desk`. */
  source: string;
  correlationId?: string;
  causationId?: string;
  actor?: Actor;
  data: D;
} & Subject;

/** Envelope fields apart from `data`: what an upcaster may look at. */
export type EnvelopeHeader = Omit<Envelope<string, unknown>, 'data'>;

export const actorSchema = z.strictObject({
  id: line(128),
  name: line(200).optional(),
});

const SUBJECT_REQUIRED = 'customerId or anonymousId is required';
const SUBJECT_EXCLUSIVE = 'give either customerId or anonymousId, not both';

/**
 * The envelope of one version of one event type. `version` may be left out by emitters;
 * the registry then reads the input as the latest version.
 */
export function envelopeSchema<T extends string, D extends z.ZodType>(type: T, version: number, data: D) {
  return z
    .strictObject({
      id: z.uuid({ error: formatError('must be a UUID') }),
      type: z.literal(type),
      version: z.literal(version).optional(),
      customerId: identifier.optional(),
      anonymousId: identifier.optional(),
      occurredAt: isoDateTime,
      source: line(100),
      correlationId: line(200).optional(),
      causationId: line(200).optional(),
      actor: actorSchema.optional(),
      data,
    })
    .superRefine(
      (envelope, ctx) => {
        const hasCustomer = envelope.customerId !== undefined;
        const hasVisitor = envelope.anonymousId !== undefined;
        if (hasCustomer && hasVisitor) ctx.addIssue({ code: 'custom', path: ['anonymousId'], message: SUBJECT_EXCLUSIVE });
        if (!hasCustomer && !hasVisitor) ctx.addIssue({ code: 'custom', path: ['customerId'], message: SUBJECT_REQUIRED });
      },
      // Report a missing subject together with field errors elsewhere, not only once they are fixed.
      { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
    )
    .meta({ oneOf: [{ required: ['customerId'] }, { required: ['anonymousId'] }] });
}

/** `customer-<customerId>` for a known customer, `visitor-<anonymousId>` for a visitor. */
export function streamIdFor(event: Subject): string {
  return event.customerId !== undefined ? `customer-${event.customerId}` : `visitor-${event.anonymousId}`;
}
