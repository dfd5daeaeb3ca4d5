import type { components } from './schema';

// From the generated OpenAPI types where the platform documents the response.
export type Session = components['schemas']['SessionDto'];
export type StaffAccount = components['schemas']['StaffAccountDto'];
export type StaffRole = StaffAccount['role'];

// The timeline and loyalty routes do not yet declare response schemas in their OpenAPI
// operations (only paths and parameters), so their answers are described here, after their READMEs.

export interface Money {
  readonly amount: number;
  readonly currency: string;
}

export interface CustomerMatch {
  readonly customerId: string;
  readonly match: 'id' | 'email' | 'phone' | 'name';
  readonly name?: string | null;
  readonly email?: string | null;
  readonly phone?: string | null;
  readonly country: string | null;
  readonly lastSeen: string;
}

export interface SearchPage {
  readonly results: readonly CustomerMatch[];
  readonly nextCursor: string | null;
}

export interface ProfileSummary {
  readonly customerId: string;
  readonly identity: {
    readonly email?: string | null;
    readonly phone?: string | null;
    readonly firstName?: string | null;
    readonly lastName?: string | null;
    readonly birthDate?: string | null;
    readonly country: string | null;
    readonly locale: string | null;
  };
  readonly signupChannel: string | null;
  readonly registeredAt: string | null;
  readonly consents: readonly { purpose: string; channel: string; granted: boolean; changedAt: string }[];
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly interactions: number;
  readonly orders: {
    readonly count: number;
    readonly netSpend: Money | null;
    readonly byCurrency: readonly { currency: string; orders: number; gross: number; refunded: number; net: number }[];
  };
  readonly openComplaints: readonly { complaintId: string; status: string; category: string | null; severity: string | null; orderId: string | null }[];
  readonly pendingCallbacks: readonly { callbackId: string; status: string; requestedAt: string | null; scheduledFor: string | null }[];
}

export interface TimelineEntry {
  readonly eventId: string;
  readonly customerId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly position: number;
  readonly channel: string | null;
  readonly source: string;
  readonly summary: string;
  readonly amount: { readonly value: number; readonly currency: string } | null;
  readonly related: { readonly orderId?: string; readonly complaintId?: string; readonly callbackId?: string };
  readonly actor?: { readonly id: string; readonly name?: string } | null;
  readonly links?: readonly { eventId: string; type: string; occurredAt: string; via: string }[];
}

export interface TimelinePage {
  readonly entries: readonly TimelineEntry[];
  readonly nextCursor: string | null;
}

export interface RawEntry {
  readonly entry: TimelineEntry;
  readonly event: unknown;
}

export interface LoyaltyAccount {
  readonly customerId: string;
  readonly asOf: string;
  readonly available: number;
  readonly pending: number;
  readonly lifetimeEarned: number;
  readonly tier: string;
  readonly qualifyingPoints: number;
  readonly nextTier: { readonly name: string; readonly threshold: number; readonly pointsToGo: number } | null;
  readonly tierReviewAt: string | null;
  readonly expiringSoon: { readonly points: number; readonly withinDays: number; readonly lots: readonly { lotId: string; points: number; expiresAt: string }[] };
}

export interface LedgerEntry {
  readonly eventId: string;
  readonly position: number;
  readonly occurredAt: string;
  readonly type: string;
  readonly points: number;
  readonly availableDelta: number;
  readonly pendingDelta: number;
  readonly availableAfter: number;
  readonly pendingAfter: number;
  readonly reason: string;
  readonly orderId: string | null;
}

export interface LedgerPage {
  readonly entries: readonly LedgerEntry[];
  readonly nextCursor: string | null;
}
