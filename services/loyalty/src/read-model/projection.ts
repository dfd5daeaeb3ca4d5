import { fromRecordedLoyaltyEvent, LOYALTY_EVENT_TYPES, type StoredLoyaltyEvent } from '@rapport/contracts';
import type { Projection, Sql } from '@rapport/projections';
import { evolve, initialState, pendingPoints, availablePoints, type LoyaltyState } from '../account/state';
import { decodeState, encodeState } from '../account/cached-state';
import { movementOf } from './movements';

export const READ_MODEL_NAME = 'loyalty';

/**
 * The loyalty read model: one row per account (its fold, balances and tier), one per lot,
 * and the ledger, one row per loyalty event with how it moved the balances. Everything is
 * a function of the loyalty events alone, so a rebuild gives the same rows.
 */
export const loyaltyReadModelProjection: Projection<StoredLoyaltyEvent> = {
  name: READ_MODEL_NAME,
  // 2: the fold is kept as JSON text in the shape of cached-state.ts, with the revision it folded up to.
  version: 2,
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
          revision        bigint NOT NULL,
          -- Stored as sent, not compressed: rewritten on every batch that touches the account.
          state           text STORAGE EXTERNAL NOT NULL
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

/**
 * Folds this process applied last, by generation (schema) and customer, with the revision
 * they folded up to. An entry is used only when its account row says the same revision,
 * so a rolled-back batch, another process or another generation (a rebuild, a verify)
 * can never make it count twice; it is taken out while events are applied to it.
 */
/** In the row's compact encoding: a tenth of the memory of the decoded folds. */
const folds = new Map<string, { revision: number; encoded: string }>();
const FOLDS_KEPT = 20_000;

async function applyEvents(tx: Sql, schema: string, events: readonly StoredLoyaltyEvent[]): Promise<void> {
  const customerIds = [...new Set(events.map((event) => event.customerId as string))];
  const remembered = customerIds.map((customerId) => {
    const key = `${schema}|${customerId}`;
    const entry = folds.get(key);
    folds.delete(key);
    return entry;
  });
  const rows = await tx.query<{ customer_id: string; revision: string; state: string | null }>(
    `SELECT a.customer_id, a.revision, CASE WHEN a.revision <> k.known THEN a.state END AS state
       FROM ${schema}.accounts a JOIN unnest($1::text[], $2::bigint[]) AS k(customer_id, known) ON k.customer_id = a.customer_id`,
    [customerIds, remembered.map((entry) => entry?.revision ?? -2)],
  );
  const states = new Map<string, LoyaltyState>();
  const revisions = new Map<string, number>();
  const byId = new Map(rows.map((row) => [row.customer_id, row]));
  customerIds.forEach((customerId, index) => {
    const row = byId.get(customerId);
    if (!row) return;
    const encoded = row.state ?? remembered[index]?.encoded;
    const state = encoded === undefined ? undefined : decodeState(encoded);
    if (!state) throw new Error(`loyalty.accounts row of ${customerId} is in a shape this version does not read; rebuild the projection`);
    states.set(customerId, state);
    revisions.set(customerId, Number(row.revision));
  });
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
    revisions.set(customerId, Math.max(revisions.get(customerId) ?? -1, event.revision));
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
  const accounts = [...states];
  const encoded = new Map(accounts.map(([customerId, state]) => [customerId, encodeState(state)]));
  await tx.query(
    `INSERT INTO ${schema}.accounts (customer_id, available, pending, lifetime_earned, tier, tier_review_at, last_event_at, revision, state)
     SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::bigint[], $9::text[])
     ON CONFLICT (customer_id) DO UPDATE SET available = excluded.available, pending = excluded.pending, lifetime_earned = excluded.lifetime_earned,
            tier = excluded.tier, tier_review_at = excluded.tier_review_at, last_event_at = excluded.last_event_at, revision = excluded.revision,
            state = excluded.state`,
    [
      accounts.map(([customerId]) => customerId),
      accounts.map(([, state]) => availablePoints(state)),
      accounts.map(([, state]) => pendingPoints(state)),
      accounts.map(([, state]) => state.lifetimeEarned),
      accounts.map(([, state]) => state.tier ?? null),
      accounts.map(([, state]) => state.reviewAt ?? null),
      accounts.map(([, state]) => state.lastEventAt ?? null),
      accounts.map(([customerId]) => revisions.get(customerId) as number),
      accounts.map(([customerId]) => encoded.get(customerId)),
    ],
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
  for (const customerId of states.keys()) {
    folds.set(`${schema}|${customerId}`, { revision: revisions.get(customerId) as number, encoded: encoded.get(customerId) as string });
    if (folds.size > FOLDS_KEPT) folds.delete(folds.keys().next().value as string);
  }
}
