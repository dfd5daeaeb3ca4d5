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

// The cases and segments routes are typed by path in the OpenAPI document but declare no response
// schemas; their answers are described here after services/cases and services/segments (READMEs
// and read-model queries).

export type CaseKind = 'complaint' | 'callback';

export interface CaseItem {
  readonly caseId: string;
  readonly kind: CaseKind;
  readonly id: string;
  readonly customerId: string | null;
  readonly status: string;
  readonly severity: string | null;
  readonly category: string | null;
  readonly channel: string | null;
  readonly reason: string | null;
  readonly assigneeId: string | null;
  readonly escalationLevel: number;
  readonly flags: readonly string[];
  readonly openedAt: string | null;
  readonly dueAt: string | null;
  readonly dueMetric: string | null;
  readonly breached: boolean;
}

export interface CaseDetails extends CaseItem {
  readonly closedAt: string | null;
  readonly history: readonly { readonly eventId: string; readonly type: string; readonly occurredAt: string; readonly actor: unknown; readonly data: unknown }[];
}

export interface CasesPage {
  readonly items: readonly CaseItem[];
  readonly nextCursor: string | null;
}

/** Answer of every case command (201). */
export interface CaseCommandAnswer {
  readonly caseId: string;
  readonly kind: CaseKind;
  readonly status: string;
  readonly revision: number;
  readonly eventIds: readonly string[];
  readonly replayed: boolean;
}

/** Which snapshot answered: the one at or before `asOf`. */
export interface SnapshotBasis {
  readonly asOf: string;
  readonly snapshotAsOf: string;
  readonly nearestEarlier: boolean;
}

export interface Boundary {
  readonly score: number;
  readonly lowest: number;
  readonly highest: number;
}

export type CustomerSegment = SnapshotBasis & { readonly customerId: string } & (
    | { readonly excluded: true; readonly segment: null; readonly explanation: { readonly reason: string } }
    | {
        readonly excluded: false;
        readonly segment: string;
        readonly scores: { readonly r: number; readonly f: number; readonly m: number } | null;
        readonly measures: { readonly recencyDays: number | null; readonly frequency: number; readonly monetary: number; readonly costToServe: number; readonly netValue: number };
        readonly flags: { readonly negativeValue: boolean; readonly growing: boolean; readonly topNetValueQuintile: boolean };
        readonly growth: { readonly recent: number; readonly previous: number };
        readonly model: { readonly pAlive: number | null; readonly expectedPurchases90d: number | null; readonly clv: number | null };
        readonly explanation: {
          readonly formula: string;
          readonly scored: number;
          readonly boundaries: { readonly r: readonly Boundary[]; readonly f: readonly Boundary[]; readonly m: readonly Boundary[]; readonly netValue: readonly Boundary[] };
          readonly rule: { readonly segment: string; readonly pattern: string; readonly r?: readonly [number, number]; readonly f?: readonly [number, number] };
        };
      }
  );

export interface SegmentLine {
  readonly segment: string;
  readonly customers: number;
  readonly share: number;
  readonly netSpend: number;
  readonly averageOrderValue: number | null;
  readonly averageRecencyDays: number | null;
}

export interface SegmentTable extends SnapshotBasis {
  readonly customers: number;
  readonly scored: number;
  readonly excluded: number;
  readonly currency: string;
  readonly segments: readonly SegmentLine[];
}

export interface SegmentMovements {
  readonly from: SnapshotBasis;
  readonly to: SnapshotBasis;
  readonly matrix: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly moved: number;
}

export interface ClockMetrics {
  readonly measured: number;
  readonly met: number;
  readonly attainment: number | null;
  readonly businessMinutes: { readonly p50: number | null; readonly p90: number | null };
  readonly calendarMinutes: { readonly p50: number | null; readonly p90: number | null };
}

export interface MetricsGroup {
  readonly key: string;
  readonly complaintsOpened: number;
  readonly complaintsResolved: number;
  readonly callbacksRequested: number;
  readonly callbacksCompleted: number;
  readonly breachedCases: number;
  readonly firstResponse: ClockMetrics;
  readonly resolution: ClockMetrics;
  readonly callbackOnTime: { readonly measured: number; readonly met: number; readonly attainment: number | null };
  readonly csat: { readonly ratings: number; readonly score: number | null };
  readonly nps: { readonly answers: number; readonly score: number | null };
}

export interface ServiceMetrics {
  readonly from: string;
  readonly to: string;
  readonly groupBy: string;
  readonly groups: readonly MetricsGroup[];
}
