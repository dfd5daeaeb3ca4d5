import { runUntilKilled } from '@rapport/testing';
import { defaultPolicy } from '../sla/policy';
import { casesProjection } from './projection';

// Child process for crash.int.spec.ts: in the cases projection's Nth batch (rows written,
// transaction not committed), reports how many case events its history holds, then waits
// to be killed.
void runUntilKilled(
  () => [casesProjection(defaultPolicy())],
  async (context) => {
    const [{ history }] = await context.tx.query<{ history: string }>(`SELECT count(*) AS history FROM ${context.schema}.case_events`);
    return { history: Number(history) };
  },
);
