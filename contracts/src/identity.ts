import type { StoredEvent, StoredLoyaltyEvent, StoredSegmentEvent } from './catalogue';


/**
 * The identity rule every read model follows. A visitor (`anonymousId`) becomes a customer
 * when a `CustomerRegistered` names it in `previousAnonymousId` (or a `CustomerIdentified` in `anonymousId`): from then on the visitor's
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

/**
 * Values emitters send when they have no real id (`0`, `-1`, `null`, `anonymous`, all zeros):
 * linking by them would merge every visitor who sent one. Services may block more; these never link.
 */
export const PLACEHOLDER_IDS: readonly string[] = ['0', '-1', 'null', 'undefined', 'nil', 'none', 'anonymous', 'unknown', 'guest', 'n/a'];

/** Whether `id` is a placeholder rather than an id: one of PLACEHOLDER_IDS (any case) or only zeros and separators. */
export function isPlaceholderId(id: string, blocked: readonly string[] = PLACEHOLDER_IDS): boolean {
  const lower = id.trim().toLowerCase();
  return lower === '' || blocked.includes(lower) || /^[0\-_.:]+$/.test(lower);
}

/** The claim an event makes on a visitor: a registration naming one, or an identification (login, Segment identify/alias). */
export function visitorLinkOf(event: StoredEvent | StoredLoyaltyEvent | StoredSegmentEvent): VisitorLink | undefined {
  if (event.customerId === undefined) return undefined;
  const anonymousId =
    event.type === 'CustomerRegistered' ? event.data.previousAnonymousId : event.type === 'CustomerIdentified' ? event.data.anonymousId : undefined;
  if (!anonymousId || isPlaceholderId(anonymousId)) return undefined;
  return { anonymousId, customerId: event.customerId, position: event.position, eventId: event.id };
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
