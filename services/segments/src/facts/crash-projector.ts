import { runUntilKilled } from '@rapport/testing';
import { DEFAULT_SETTINGS } from '../config';
import { factsProjection } from './projection';

// Child process for crash.int.spec.ts: in the facts projection's Nth batch, reports how many
// orders its live totals count inside the open transaction, then waits to be killed.
void runUntilKilled(
  () => [factsProjection(DEFAULT_SETTINGS)],
  async (context) => {
    const [{ orders }] = await context.tx.query<{ orders: string }>(`SELECT coalesce(sum(orders), 0) AS orders FROM ${context.schema}.customers`);
    return { orders: Number(orders) };
  },
);
