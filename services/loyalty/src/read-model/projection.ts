import { fromRecordedLoyaltyEvent, LOYALTY_EVENT_TYPES, type StoredLoyaltyEvent } from '@rapport/contracts';
import type { Projection, Sql } from '@rapport/projections';
import { evolve, initialState, pendingPoints, availablePoints, type LoyaltyState } from '../account/state';
import { movementOf } from './movements';

export const READ_MODEL_NAME = 'loyalty';

/**
 * The loyalty read model: one row per account (its fold, balances and tier), one per lot,
 * and the ledger, one row per loyalty event with how it moved the balances. Everything is
 * a function of the loyalty events alone, so a rebuild gives the same rows.
 */
export const loyaltyReadModelProjection: Projection<StoredLoyaltyEvent> = {
  name: READ_MODEL_NAME,
  version: 1,
  schema: 'loyalty',
  eventTypes: LOYALTY_EVENT_TYPES,
  tables: [
    {
      name: 'accounts',
      create: (schema) => `
        CREATE TABLE ${schema}.accounts (
          customer_id     text PRIMARY KEY,
          available       bigint NOT NULL,
          pending         bigint NOT NULL,
          lifetime_earned bigint NOT NULL,
          tier            text,
          tier_review_at  timestamptz,
          last_event_at   timestamptz,
          state           jsonb NOT NULL
        );
        CREATE INDEX ON ${schema}.accounts (tier);`,
    },
    {
      name: 'lots',
      create: (schema) => `
        CREATE TABLE ${schema}.lots (
          lot_id        uuid PRIMARY KEY,
          customer_id   text NOT NULL,
          reason        text NOT NULL,
          order_id      text,
          points        bigint NOT NULL,
          remaining     bigint NOT NULL,
          status        text NOT NULL,
          earned_at     timestamptz NOT NULL,
          pending_until timestamptz NOT NULL,
          expires_at    timestamptz
        );
        CREATE INDEX ON ${schema}.lots (customer_id);
        CREATE INDEX ON ${schema}.lots (expires_at) WHERE status = 'available';`,
    },
    {
      name: 'ledger',
      create: (schema) => `
        CREATE TABLE ${schema}.ledger (
          event_id        uuid PRIMARY KEY,
          customer_id     text NOT NULL,
          position        bigint NOT NULL,
          revision        bigint NOT NULL,
          occurred_at     timestamptz NOT NULL,
          type            text NOT NULL,
          points          bigint NOT NULL,
          available_delta bigint NOT NULL,
          pending_delta   bigint NOT NULL,
          reason          text NOT NULL,
          rule            text NOT NULL,
          rules_version   text NOT NULL,
          source_event_id text NOT NULL,
          lot_id          uuid,
          order_id        text,
          tier            text
        );
        CREATE INDEX ON ${schema}.ledger (customer_id, position);
        CREATE INDEX ON ${schema}.ledger (occurred_at);`,
    },
  ],
  decode: (event) => fromRecordedLoyaltyEvent(event),
  async apply({ tx, schema }, events) {
    await applyEvents(tx, schema, events);
  },
};

async function applyEvents(tx: Sql, schema: string, events: readonly StoredLoyaltyEvent[]): Promise<void> {
  const customerIds = [...new Set(events.map((event) => event.customerId as string))];
  const rows = await tx.query<{ customer_id: string; state: LoyaltyState }>(`SELECT customer_id, state FROM ${schema}.accounts WHERE customer_id = ANY ($1)`, [customerIds]);
  const states = new Map(rows.map((row) => [row.customer_id, row.state]));
  const ledger: Record<string, unknown>[] = [];
  // Only lots this batch touched are written again: rich accounts hold hundreds.
  const touchedLots = new Set<string>();
  for (const event of events) {
    const data = event.data as { lotId?: string; consumed?: readonly { lotId: string }[] };
    if (data.lotId) touchedLots.add(data.lotId);
    for (const share of data.consumed ?? []) touchedLots.add(share.lotId);
    const customerId = event.customerId as string;
    let state = states.get(customerId);
    if (!state) states.set(customerId, (state = initialState()));
    const movement = movementOf(event, state);
    evolve(state, event);
    const points = 'points' in event.data ? event.data.points : 0;
    ledger.push({
      event_id: event.id,
      customer_id: customerId,
      position: event.position,
      revision: event.revision,
      occurred_at: event.occurredAt,
      type: event.type,
      points,
      available_delta: movement.availableDelta,
      pending_delta: movement.pendingDelta,
      reason: movement.reason,
      rule: event.data.rule,
      rules_version: event.data.rulesVersion,
      source_event_id: event.data.sourceEventId,
      lot_id: movement.lotId,
      order_id: movement.orderId,
      tier: event.type === 'TierChanged' ? event.data.to : null,
    });
  }
  await tx.query(
    `INSERT INTO ${schema}.ledger
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, customer_id text, position bigint, revision bigint, occurred_at timestamptz,
            type text, points bigint, available_delta bigint, pending_delta bigint, reason text, rule text, rules_version text,
            source_event_id text, lot_id uuid, order_id text, tier text)
     ON CONFLICT (event_id) DO NOTHING`,
    [JSON.stringify(ledger)],
  );
  const accounts = [...states].map(([customerId, state]) => ({
    customer_id: customerId,
    available: availablePoints(state),
    pending: pendingPoints(state),
    lifetime_earned: state.lifetimeEarned,
    tier: state.tier ?? null,
    tier_review_at: state.reviewAt ?? null,
    last_event_at: state.lastEventAt ?? null,
    state,
  }));
  await tx.query(
    `INSERT INTO ${schema}.accounts
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(customer_id text, available bigint, pending bigint, lifetime_earned bigint, tier text,
            tier_review_at timestamptz, last_event_at timestamptz, state jsonb)
     ON CONFLICT (customer_id) DO UPDATE SET available = excluded.available, pending = excluded.pending, lifetime_earned = excluded.lifetime_earned,
            tier = excluded.tier, tier_review_at = excluded.tier_review_at, last_event_at = excluded.last_event_at, state = excluded.state`,
    [JSON.stringify(accounts)],
  );
  const lots = [...states].flatMap(([customerId, state]) =>
    state.lots.filter((lot) => touchedLots.has(lot.lotId)).map((lot) => ({
      lot_id: lot.lotId,
      customer_id: customerId,
      reason: lot.reason,
      order_id: lot.orderId ?? null,
      points: lot.points,
      remaining: lot.remaining,
      status: lot.status,
      earned_at: lot.earnedAt,
      pending_until: lot.pendingUntil,
      expires_at: lot.expiresAt ?? null,
    })),
  );
  await tx.query(
    `INSERT INTO ${schema}.lots
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(lot_id uuid, customer_id text, reason text, order_id text, points bigint, remaining bigint,
            status text, earned_at timestamptz, pending_until timestamptz, expires_at timestamptz)
     ON CONFLICT (lot_id) DO UPDATE SET remaining = excluded.remaining, status = excluded.status, expires_at = excluded.expires_at`,
    [JSON.stringify(lots)],
  );
}
