import { streamIdFor, toStoredEvent, type RapportEvent } from '@rapport/contracts';
import type { EventStore } from '@rapport/event-store';
import type { Database } from '@rapport/projections';
import { decide, derivedId } from '../case/decide';
import { FEEDBACK_SUBJECT, type CaseState } from '../case/state';
import type { Clock } from '../commands/run-case-command';
import type { CaseClocks } from '../sla/clocks';

type Withdrawable = CaseClocks['withdrawable'][number];

export interface SchedulerOptions {
  readonly db: Database;
  readonly store: EventStore;
  readonly clock: Clock;
  /** Most cases handled per run. */
  readonly batchSize?: number;
}

export interface SchedulerRun {
  readonly breaches: number;
  readonly feedbackRequests: number;
  /** Callbacks opened for follow_up_needed outcomes reported by outside systems (staff commands open theirs at once). */
  readonly followUps: number;
  /** SlaBreachWithdrawn recorded for breaches a late event showed no longer stand. */
  readonly withdrawals: number;
}

/**
 * Decides what is due at the clock's now: an SlaBreached for every clock whose due instant
 * has passed unmet, an SlaBreachWithdrawn for every recorded breach a late event showed no
 * longer stands, and a feedback request for every resolved complaint that has had none.
 * Ids are derived from what is decided, so a run repeated before the read model caught up
 * appends nothing new.
 */
export class CasesScheduler {
  constructor(private readonly options: SchedulerOptions) {}

  async runDue(): Promise<SchedulerRun> {
    const now = this.options.clock.now().toISOString();
    return {
      breaches: await this.decideBreaches(now),
      feedbackRequests: await this.requestFeedback(now),
      followUps: await this.openFollowUps(now),
      withdrawals: await this.withdrawBreaches(now),
    };
  }

  private async withdrawBreaches(now: string): Promise<number> {
    const rows = await this.options.db.query<{ case_id: string; kind: 'complaint' | 'callback'; source_id: string; customer_id: string | null; withdrawable: Withdrawable[] }>(
      `SELECT case_id, kind, source_id, customer_id, withdrawable FROM cases.cases WHERE withdraw_pending ORDER BY case_id LIMIT $1`,
      [this.options.batchSize ?? 1000],
    );
    let appended = 0;
    for (const row of rows) {
      if (!row.customer_id) continue;
      const events = row.withdrawable.map((breach) =>
        toStoredEvent(
          {
            // The n-th withdrawal of this breach: a repeated run before the read model catches up appends nothing.
            id: derivedId('breach-withdrawn', row.case_id, breach.metric, new Date(breach.dueAt).toISOString(), String(breach.attempt)),
            type: 'SlaBreachWithdrawn',
            version: 1,
            customerId: row.customer_id!,
            occurredAt: now,
            source: 'cases',
            data: { caseKind: row.kind, caseId: row.source_id, metric: breach.metric, dueAt: breach.dueAt, at: now, reason: breach.reason },
          } as RapportEvent,
          now,
        ),
      );
      const result = await this.options.store.append(row.case_id, events, 'any');
      appended += result.events.filter((event) => !event.duplicate).length;
    }
    return appended;
  }

  private async decideBreaches(now: string): Promise<number> {
    const rows = await this.options.db.query<{ case_id: string; kind: 'complaint' | 'callback'; source_id: string; customer_id: string | null; breachable: CaseClocks['breachable'] }>(
      `SELECT case_id, kind, source_id, customer_id, breachable FROM cases.cases WHERE next_breach_at <= $1 ORDER BY next_breach_at LIMIT $2`,
      [now, this.options.batchSize ?? 1000],
    );
    let appended = 0;
    for (const row of rows) {
      // A breach must name a customer to reach their timeline; a visitor-only case is only flagged in the queue.
      if (!row.customer_id) continue;
      const due = row.breachable.filter((clock) => Date.parse(clock.dueAt) <= Date.parse(now));
      if (due.length === 0) continue;
      const events = due.map((clock) =>
        toStoredEvent(
          {
            // A breach owed again after a withdrawal (attempt n) gets a new id.
            id: derivedId('breach', row.case_id, clock.metric, new Date(clock.dueAt).toISOString(), ...(clock.attempt ? [String(clock.attempt)] : [])),
            type: 'SlaBreached',
            version: 1,
            customerId: row.customer_id!,
            occurredAt: clock.dueAt,
            source: 'cases',
            data: { caseKind: row.kind, caseId: row.source_id, metric: clock.metric, dueAt: clock.dueAt, at: now },
          } as RapportEvent,
          now,
        ),
      );
      const result = await this.options.store.append(row.case_id, events, 'any');
      appended += result.events.filter((event) => !event.duplicate).length;
    }
    return appended;
  }

  private async openFollowUps(now: string): Promise<number> {
    const rows = await this.options.db.query<{ case_id: string; source_id: string; customer_id: string; follow_up_id: string; state: CaseState }>(
      `SELECT c.case_id, c.source_id, c.customer_id, c.follow_up_id, c.state FROM cases.cases c
        WHERE c.follow_up_id IS NOT NULL AND c.customer_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM cases.cases f WHERE f.case_id = 'callback-' || c.follow_up_id)
        LIMIT $1`,
      [this.options.batchSize ?? 1000],
    );
    let appended = 0;
    for (const row of rows) {
      const drafts = decide({ kind: 'complete', data: { outcome: 'follow_up_needed' } }, { ...row.state, status: 'scheduled' }, row.source_id, now);
      const followUp = drafts.find((draft) => draft.type === 'CallbackRequested');
      if (!followUp) continue;
      const event = { id: derivedId('follow-up', row.case_id), type: followUp.type, version: 1, customerId: row.customer_id, occurredAt: now, source: 'cases', data: followUp.data } as RapportEvent;
      const result = await this.options.store.append(`callback-${row.follow_up_id}`, [toStoredEvent(event, now)], 'any');
      appended += result.events.filter((e) => !e.duplicate).length;
    }
    return appended;
  }

  private async requestFeedback(now: string): Promise<number> {
    const rows = await this.options.db.query<{ case_id: string; source_id: string; customer_id: string }>(
      `SELECT c.case_id, c.source_id, c.customer_id FROM cases.cases c LEFT JOIN cases.consents s ON s.customer_id = c.customer_id
        WHERE c.kind = 'complaint' AND c.status = 'resolved' AND NOT c.feedback_requested AND c.customer_id IS NOT NULL AND s.granted IS NOT FALSE
        LIMIT $1`,
      [this.options.batchSize ?? 1000],
    );
    let appended = 0;
    for (const row of rows) {
      const event = {
        id: derivedId('feedback-request', row.case_id),
        type: 'MessageSent',
        version: 1,
        customerId: row.customer_id,
        occurredAt: now,
        source: 'cases',
        data: { channel: 'email', direction: 'outbound', subject: FEEDBACK_SUBJECT, complaintId: row.source_id },
      } as RapportEvent;
      const result = await this.options.store.append(streamIdFor(event), [toStoredEvent(event, now)], 'any');
      appended += result.events.filter((e) => !e.duplicate).length;
    }
    return appended;
  }
}
