import { randomBytes } from 'node:crypto';
import { fromRecordedEvent, fromRecordedLoyaltyEvent, type StoredEvent } from '@rapport/contracts';
import type { EventStore } from '@rapport/event-store';
import type { Sql } from '@rapport/projections';
import { advanceInPlace, decideCommand, decideFactInPlace, LOYALTY_FACT_TYPES, type Draft, type Fact, type LoyaltyCommand } from '../account/decide';
import { availablePoints, evolve, initialState, pendingPoints, tierOf, type LoyaltyState } from '../account/state';
import { InsufficientPointsError } from '../errors';
import type { RuleBook } from '../rules/rules';

export interface Outcome {
  readonly liability: { readonly available: number; readonly pending: number; readonly total: number };
  readonly tiers: Record<string, number>;
  readonly earned: number;
  readonly reversed: number;
  readonly expired: number;
  readonly redeemed: number;
  readonly adjusted: number;
  /** Recorded redemptions (and negative adjustments) this side's balance could not cover: not applied, counted here. */
  readonly shortfall: { readonly count: number; readonly points: number };
}

export interface SimulationReport {
  readonly from: string | null;
  readonly to: string;
  readonly facts: number;
  /** Recorded redemptions and adjustments replayed on both sides at their instants. */
  readonly commands: number;
  readonly customers: number;
  readonly live: Outcome;
  readonly candidate: Outcome;
  readonly difference: { readonly liability: number; readonly tiers: Record<string, number> };
  /** Customers whose tier at `to` would differ, first 100 by id. */
  readonly tierChanges: readonly { customerId: string; live: string; candidate: string }[];
  readonly tierChangeCount: number;
  /** The scratch schema the replay was written to, when kept for analysts; null once dropped. */
  readonly schema: string | null;
}

export interface SimulationOptions {
  readonly from: string | null;
  readonly to: string;
  /** Keep the scratch schema (its name is in the report) instead of dropping it. */
  readonly keep?: boolean;
}

const PAGE = 5000;
const ROWS_PER_INSERT = 5000;
const FACT_TYPES = new Set<string>(LOYALTY_FACT_TYPES);
const COMMAND_TYPES = new Set(['PointsRedeemed', 'PointsAdjusted']);

/** A customer fact, or a redemption or adjustment as it was recorded, in store order. */
type Input = { readonly position: number; readonly customerId: string } & ({ readonly fact: StoredEvent } | { readonly command: LoyaltyCommand });

/** Customer facts and recorded commands in store order, a page at a time, within [from, to]. */
async function readInputs(store: EventStore, from: string | null, to: string): Promise<{ inputs: Input[]; facts: number; commands: number }> {
  const inputs: Input[] = [];
  let facts = 0;
  let commands = 0;
  const [start, end] = [from === null ? -Infinity : Date.parse(from), Date.parse(to)];
  const within = (occurredAt: string) => {
    const at = Date.parse(occurredAt);
    return at >= start && at <= end;
  };
  for (let after = 0; ; ) {
    const page = await store.readAll({ afterPosition: after, maxCount: PAGE });
    if (page.length === 0) return { inputs, facts, commands };
    after = page[page.length - 1].position;
    for (const recorded of page) {
      if (FACT_TYPES.has(recorded.type) && recorded.streamId.startsWith('customer-')) {
        const event = fromRecordedEvent(recorded);
        if (event.customerId === undefined || !within(event.occurredAt)) continue;
        inputs.push({ position: recorded.position, customerId: event.customerId, fact: event });
        facts++;
      } else if (COMMAND_TYPES.has(recorded.type) && recorded.streamId.startsWith('loyalty-')) {
        const event = fromRecordedLoyaltyEvent(recorded);
        if (event.customerId === undefined || !within(event.occurredAt)) continue;
        let command: LoyaltyCommand | undefined;
        if (event.type === 'PointsRedeemed') {
          command = { kind: 'redeem', points: event.data.points, reason: event.data.reason, idempotencyKey: event.data.idempotencyKey, at: event.occurredAt };
        } else if (event.type === 'PointsAdjusted') {
          const key = event.data.sourceEventId.replace(/^adjustment:/, '');
          command = { kind: 'adjust', points: event.data.points, reason: event.data.reason, idempotencyKey: key, at: event.occurredAt };
        }
        if (!command) continue;
        inputs.push({ position: recorded.position, customerId: event.customerId, command });
        commands++;
      }
    }
  }
}

interface CustomerOutcome {
  customerId: string;
  state: LoyaltyState;
  earned: number;
  reversed: number;
  expired: number;
  redeemed: number;
  adjusted: number;
  shortfallCount: number;
  shortfallPoints: number;
  ledger: Draft[];
  shortfalls: { at: string; idempotencyKey: string; requested: number; available: number }[];
}

/** Decides every input under `rules`, customer by customer in store order, then what fell due up to `to`. */
function replay(inputs: readonly Input[], rules: RuleBook, to: string): Map<string, CustomerOutcome> {
  const customers = new Map<string, CustomerOutcome>();
  const record = (outcome: CustomerOutcome, events: readonly Draft[]) => {
    for (const event of events) {
      outcome.ledger.push(event);
      const points = (event.data as { points?: number }).points ?? 0;
      if (event.type === 'PointsEarned') outcome.earned += points;
      else if (event.type === 'PointsReversed') outcome.reversed += points;
      else if (event.type === 'PointsExpired') outcome.expired += points;
      else if (event.type === 'PointsRedeemed') outcome.redeemed += points;
      else if (event.type === 'PointsAdjusted') outcome.adjusted += points;
    }
  };
  for (const input of inputs) {
    let outcome = customers.get(input.customerId);
    if (!outcome) {
      outcome = { customerId: input.customerId, state: initialState(), earned: 0, reversed: 0, expired: 0, redeemed: 0, adjusted: 0, shortfallCount: 0, shortfallPoints: 0, ledger: [], shortfalls: [] };
      customers.set(input.customerId, outcome);
    }
    if ('fact' in input) {
      record(outcome, decideFactInPlace(outcome.state, input.fact as unknown as Fact, rules, input.customerId).events);
      continue;
    }
    try {
      const decision = decideCommand(outcome.state, input.command, rules, input.customerId);
      for (const event of decision.events) evolve(outcome.state, event);
      record(outcome, decision.events);
    } catch (error) {
      if (!(error instanceof InsufficientPointsError)) throw error;
      // Under these rules the balance could not cover what was spent: counted, not dropped silently.
      const due = advanceInPlace(outcome.state, input.command.at, rules, input.customerId);
      record(outcome, due);
      outcome.shortfallCount++;
      outcome.shortfallPoints += error.extensions.requested - error.extensions.available;
      outcome.shortfalls.push({ at: input.command.at, idempotencyKey: input.command.idempotencyKey, requested: error.extensions.requested, available: error.extensions.available });
    }
  }
  for (const outcome of customers.values()) record(outcome, advanceInPlace(outcome.state, to, rules, outcome.customerId));
  return customers;
}

const scratchTables = (schema: string) => `
  CREATE TABLE ${schema}.outcomes (
    side            text NOT NULL,
    customer_id     text NOT NULL,
    available       bigint NOT NULL,
    pending         bigint NOT NULL,
    lifetime_earned bigint NOT NULL,
    earned          bigint NOT NULL,
    reversed        bigint NOT NULL,
    expired         bigint NOT NULL,
    redeemed        bigint NOT NULL,
    adjusted        bigint NOT NULL,
    shortfall_count int NOT NULL,
    shortfall_points bigint NOT NULL,
    tier            text NOT NULL,
    PRIMARY KEY (side, customer_id)
  );
  CREATE TABLE ${schema}.ledger (
    side            text NOT NULL,
    customer_id     text NOT NULL,
    seq             int NOT NULL,
    occurred_at     timestamptz NOT NULL,
    type            text NOT NULL,
    points          bigint NOT NULL,
    rule            text NOT NULL,
    rules_version   text NOT NULL,
    source_event_id text NOT NULL,
    PRIMARY KEY (side, customer_id, seq)
  );
  CREATE TABLE ${schema}.shortfalls (
    side            text NOT NULL,
    customer_id     text NOT NULL,
    occurred_at     timestamptz NOT NULL,
    idempotency_key text NOT NULL,
    requested       bigint NOT NULL,
    available       bigint NOT NULL
  );`;

async function insertRows(db: Sql, table: string, columns: readonly { name: string; type: string }[], rows: readonly unknown[][]): Promise<void> {
  for (let offset = 0; offset < rows.length; offset += ROWS_PER_INSERT) {
    const chunk = rows.slice(offset, offset + ROWS_PER_INSERT);
    await db.query(
      `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')})`,
      columns.map((_, i) => chunk.map((row) => row[i])),
    );
  }
}

async function writeSide(db: Sql, schema: string, side: 'live' | 'candidate', customers: Map<string, CustomerOutcome>, rules: RuleBook, to: string): Promise<void> {
  const version = rules.at(to);
  const outcomes = [...customers.values()].map((c) => [
    side, c.customerId, availablePoints(c.state), pendingPoints(c.state), c.state.lifetimeEarned, c.earned, c.reversed, c.expired, c.redeemed, c.adjusted, c.shortfallCount, c.shortfallPoints, tierOf(c.state, version).name,
  ]);
  await insertRows(db, `${schema}.outcomes`, [
    { name: 'side', type: 'text' }, { name: 'customer_id', type: 'text' }, { name: 'available', type: 'bigint' }, { name: 'pending', type: 'bigint' },
    { name: 'lifetime_earned', type: 'bigint' }, { name: 'earned', type: 'bigint' }, { name: 'reversed', type: 'bigint' }, { name: 'expired', type: 'bigint' },
    { name: 'redeemed', type: 'bigint' }, { name: 'adjusted', type: 'bigint' }, { name: 'shortfall_count', type: 'int' }, { name: 'shortfall_points', type: 'bigint' }, { name: 'tier', type: 'text' },
  ], outcomes);
  const ledger = [...customers.values()].flatMap((c) =>
    c.ledger.map((event, seq) => {
      const data = event.data as { points?: number; to?: string; rule: string; rulesVersion: string; sourceEventId: string };
      return [side, c.customerId, seq, event.occurredAt, event.type, data.points ?? 0, data.rule, data.rulesVersion, data.sourceEventId];
    }),
  );
  await insertRows(db, `${schema}.ledger`, [
    { name: 'side', type: 'text' }, { name: 'customer_id', type: 'text' }, { name: 'seq', type: 'int' }, { name: 'occurred_at', type: 'timestamptz' }, { name: 'type', type: 'text' },
    { name: 'points', type: 'bigint' }, { name: 'rule', type: 'text' }, { name: 'rules_version', type: 'text' }, { name: 'source_event_id', type: 'text' },
  ], ledger);
  const shortfalls = [...customers.values()].flatMap((c) => c.shortfalls.map((s) => [side, c.customerId, s.at, s.idempotencyKey, s.requested, s.available]));
  await insertRows(db, `${schema}.shortfalls`, [
    { name: 'side', type: 'text' }, { name: 'customer_id', type: 'text' }, { name: 'occurred_at', type: 'timestamptz' }, { name: 'idempotency_key', type: 'text' },
    { name: 'requested', type: 'bigint' }, { name: 'available', type: 'bigint' },
  ], shortfalls);
}

/** Both sides' figures, read back from the scratch schema. */
async function readSide(db: Sql, schema: string, side: 'live' | 'candidate'): Promise<Outcome> {
  const [totals] = await db.query<Record<string, string>>(
    `SELECT coalesce(sum(available), 0) AS available, coalesce(sum(pending), 0) AS pending, coalesce(sum(earned), 0) AS earned,
            coalesce(sum(reversed), 0) AS reversed, coalesce(sum(expired), 0) AS expired, coalesce(sum(redeemed), 0) AS redeemed,
            coalesce(sum(adjusted), 0) AS adjusted, coalesce(sum(shortfall_count), 0) AS shortfall_count, coalesce(sum(shortfall_points), 0) AS shortfall_points
       FROM ${schema}.outcomes WHERE side = $1`,
    [side],
  );
  const tiers = await db.query<{ tier: string; members: string }>(`SELECT tier, count(*) AS members FROM ${schema}.outcomes WHERE side = $1 GROUP BY tier ORDER BY tier`, [side]);
  const available = Number(totals.available);
  const pending = Number(totals.pending);
  return {
    liability: { available, pending, total: available + pending },
    tiers: Object.fromEntries(tiers.map((row) => [row.tier, Number(row.members)])),
    earned: Number(totals.earned),
    reversed: Number(totals.reversed),
    expired: Number(totals.expired),
    redeemed: Number(totals.redeemed),
    adjusted: Number(totals.adjusted),
    shortfall: { count: Number(totals.shortfall_count), points: Number(totals.shortfall_points) },
  };
}

/**
 * What-if replay: every customer fact in [from, to] and every recorded redemption and
 * adjustment, at their instants and in store order, decided under the live rules and under
 * a candidate. Both replays are written to a scratch schema `loyalty_sim_<id>` (per-customer
 * outcome, simulated ledger, shortfalls), the report is read from there, and the schema is
 * dropped afterwards unless `keep`. Nothing live (events, read models) is written.
 */
export async function simulate(db: Sql, store: EventStore, live: RuleBook, candidate: RuleBook, options: SimulationOptions): Promise<SimulationReport> {
  const { inputs, facts, commands } = await readInputs(store, options.from, options.to);
  const a = replay(inputs, live, options.to);
  const b = replay(inputs, candidate, options.to);
  const schema = `loyalty_sim_${randomBytes(4).toString('hex')}`;
  await db.query(`CREATE SCHEMA ${schema}`);
  let kept = false;
  try {
    await db.query(scratchTables(schema));
    await writeSide(db, schema, 'live', a, live, options.to);
    await writeSide(db, schema, 'candidate', b, candidate, options.to);
    const liveOutcome = await readSide(db, schema, 'live');
    const candidateOutcome = await readSide(db, schema, 'candidate');
    const changes = await db.query<{ customer_id: string; live: string; candidate: string }>(
      `SELECT l.customer_id, l.tier AS live, c.tier AS candidate FROM ${schema}.outcomes l JOIN ${schema}.outcomes c ON c.customer_id = l.customer_id AND c.side = 'candidate'
        WHERE l.side = 'live' AND l.tier <> c.tier ORDER BY l.customer_id COLLATE "C"`,
    );
    const tierNames = new Set([...Object.keys(liveOutcome.tiers), ...Object.keys(candidateOutcome.tiers)]);
    kept = options.keep === true;
    return {
      from: options.from,
      to: options.to,
      facts,
      commands,
      customers: a.size,
      live: liveOutcome,
      candidate: candidateOutcome,
      difference: {
        liability: candidateOutcome.liability.total - liveOutcome.liability.total,
        tiers: Object.fromEntries([...tierNames].map((tier) => [tier, (candidateOutcome.tiers[tier] ?? 0) - (liveOutcome.tiers[tier] ?? 0)])),
      },
      tierChanges: changes.slice(0, 100).map((row) => ({ customerId: row.customer_id, live: row.live, candidate: row.candidate })),
      tierChangeCount: changes.length,
      schema: kept ? schema : null,
    };
  } finally {
    if (!kept) await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}
