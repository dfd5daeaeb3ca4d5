import { runUntilKilled } from '@rapport/testing';
import { defaultRuleBook } from '../rules/rules';
import { loyaltyProcessorProjection } from './projection';

// Child process for crash.int.spec.ts: in the loyalty processor's Nth batch, after its loyalty
// events were appended to the store but before its bookkeeping and checkpoint committed,
// reports how many loyalty events the store holds, then waits to be killed.
void runUntilKilled(
  (store) => [loyaltyProcessorProjection({ store, rules: defaultRuleBook(), clock: { now: () => new Date('2030-01-01T00:00:00Z') } })],
  async (_context, pool) => {
    const { rows } = await pool.query<{ count: string }>(`SELECT count(*) FROM rapport_events.events WHERE stream_id LIKE 'loyalty-%'`);
    return { appended: Number(rows[0].count) };
  },
);
