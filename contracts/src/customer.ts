import { z } from 'zod';
import { countryCode, email, identifier, isoDate, line, locale, phone } from './fields';
import { decidedBy, defineEvent } from './registry';

/** Where a customer signed up. `import` marks customers loaded from another system. */
export const signupChannel = z.enum(['web', 'app', 'store', 'phone', 'import']);

export const customerRegisteredData = z.strictObject({
  email: email.optional(),
  phone: phone.optional(),
  firstName: line(100).optional(),
  lastName: line(100).optional(),
  country: countryCode.optional(),
  locale: locale.optional(),
  birthDate: isoDate.optional(),
  signupChannel: signupChannel.optional(),
  /** The visitor id the customer browsed under before registering: lets read models join that history. */
  previousAnonymousId: identifier.optional(),
});

// A field left out is unchanged; null clears it.
export const customerProfileUpdatedData = z
  .strictObject({
    email: email.nullable().optional(),
    phone: phone.nullable().optional(),
    firstName: line(100).nullable().optional(),
    lastName: line(100).nullable().optional(),
    country: countryCode.nullable().optional(),
    locale: locale.nullable().optional(),
    birthDate: isoDate.nullable().optional(),
  })
  .refine((profile) => Object.values(profile).some((value) => value !== undefined), {
    message: 'at least one profile field is required',
  })
  .meta({ minProperties: 1 });

/** What the customer agrees (or no longer agrees) to be contacted or analysed for. */
export const consentPurpose = z.enum(['marketing', 'profiling', 'analytics', 'service']);
export const consentChannel = z.enum(['email', 'sms', 'phone', 'post', 'any']);

export const consentChangedData = z.strictObject({
  purpose: consentPurpose,
  channel: consentChannel,
  granted: z.boolean(),
  /** Version of the privacy notice the customer saw, kept as proof of consent. */
  policyVersion: line(50).optional(),
});

/** Decided by an admin through the erasure API: the customer's data key is destroyed; emitters never send it. */
export const customerErasedData = z.strictObject({
  /** Why, as the admin gave it (the request, the ticket). */
  reason: line(500),
});

export const customerEvents = {
  CustomerRegistered: defineEvent(customerRegisteredData),
  CustomerProfileUpdated: defineEvent(customerProfileUpdatedData),
  ConsentChanged: defineEvent(consentChangedData),
  CustomerErased: defineEvent(customerErasedData),
};

/** Only the privacy service appends CustomerErased, when an admin asks through the erasure API. */
export const customerDecisions = decidedBy('privacy', customerEvents, ['CustomerErased'], 'the erasure API (POST /v1/customers/{id}/erasure)');
