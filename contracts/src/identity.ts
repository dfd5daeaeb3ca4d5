import type { StoredEvent, StoredLoyaltyEvent, StoredSegmentEvent } from './catalogue';


/**
 * The identity rule every read model follows. A visitor (`anonymousId`) becomes a customer
 * when a `CustomerRegistered` names it in `previousAnonymousId`: from then on the visitor's
 * events, before and after the registration, count for that customer. An anonymous id
 * belongs to at most one customer: of all registrations naming it, the one with the lowest
 * global position wins, whatever order they arrive in; the others are conflicting claims,
 * which read models keep visible instead of dropping.
 */
export interface VisitorLink {
  readonly anonymousId: string;
  readonly customerId: string;
  /** Global store position of the registration that made the claim. */
  readonly position: number;
  readonly eventId: string;
}

/** The claim an event makes, if it is a registration naming a visitor. */
export function visitorLinkOf(event: StoredEvent | StoredLoyaltyEvent | StoredSegmentEvent): VisitorLink | undefined {
  if (event.type !== 'CustomerRegistered' || event.customerId === undefined || !event.data.previousAnonymousId) return undefined;
  return { anonymousId: event.data.previousAnonymousId, customerId: event.customerId, position: event.position, eventId: event.id };
}

/** Whether `claim` takes the visitor from `current` (the claim now in force, if any). */
export function outranks(claim: VisitorLink, current: Pick<VisitorLink, 'position'> | undefined): boolean {
  return current === undefined || claim.position < current.position;
}

/** The claim in force among all claims on one anonymous id. */
export function winningLink(claims: Iterable<VisitorLink>): VisitorLink | undefined {
  let winner: VisitorLink | undefined;
  for (const claim of claims) if (outranks(claim, winner)) winner = claim;
  return winner;
}
