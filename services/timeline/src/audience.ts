import type { Principal } from '@rapport/platform';

/** Who reads: support staff and admins see personal data; analysts get the same shapes without it. */
export type Audience = 'staff' | 'analyst';

export function audienceOf(principal: Principal | undefined): Audience {
  return principal?.role === 'support' || principal?.role === 'admin' ? 'staff' : 'analyst';
}
