import { z } from 'zod';
import { email, identifier, isStorableText, line, phone } from './fields';
import { defineEvent } from './registry';

/** Serialized size and nesting a custom event's properties may reach: enough for analytics, small enough for every read model. */
export const MAX_PROPERTIES_BYTES = 16 * 1024;
export const MAX_PROPERTIES_DEPTH = 8;

// Values are any JSON (not z.json(): its recursive schema would not export). String values are
// checked by the catalogue like every field; keys are not, and jsonb refuses a NUL in them too.
function propertiesProblem(value: unknown, depth = 0): string | undefined {
  if (depth > MAX_PROPERTIES_DEPTH) return `must not nest deeper than ${MAX_PROPERTIES_DEPTH} levels`;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    if (!isStorableText(key)) return 'keys must not contain NUL (\\u0000) or an unpaired UTF-16 surrogate';
    const problem = propertiesProblem(child, depth + 1);
    if (problem) return problem;
  }
  return undefined;
}

/** Free-form JSON object of bounded size and depth, as analytics tools send event properties. */
export const boundedProperties = z
  .record(z.string().max(200), z.unknown())
  .superRefine((properties, ctx) => {
    const problem = propertiesProblem(properties);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    else if (new TextEncoder().encode(JSON.stringify(properties)).length > MAX_PROPERTIES_BYTES) {
      ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_PROPERTIES_BYTES} bytes as JSON` });
    }
  });

/** Something the customer did that no contract event names (a `track` call such as "Newsletter Opened"). */
export const customEventTrackedData = z.strictObject({
  name: line(200),
  properties: boundedProperties.optional(),
});

/**
 * Another system learned who a visitor or identifier belongs to (a login, Segment's
 * `identify` or `alias`). `anonymousId` links that visitor to the event's customer under the
 * same rule as `CustomerRegistered.previousAnonymousId`; email and phone are identifiers seen.
 */
export const customerIdentifiedData = z
  .strictObject({
    anonymousId: identifier.optional(),
    email: email.optional(),
    phone: phone.optional(),
    via: z.enum(['login', 'identify', 'alias', 'other']).optional(),
  })
  .refine((data) => data.anonymousId !== undefined || data.email !== undefined || data.phone !== undefined, {
    message: 'at least one of anonymousId, email or phone is required',
  });

export const trackingEvents = {
  CustomEventTracked: defineEvent(customEventTrackedData),
  CustomerIdentified: defineEvent(customerIdentifiedData),
};
