import { runUntilKilled } from '@rapport/testing';
import { customerProfilesProjection } from '../customer-profiles/projection';
import { timelineProjection } from './projection';

// The read models the seed's orders and visits reach (identities sees none of them, so no Nth batch).
const CRASHED = [timelineProjection, customerProfilesProjection];

// Child process for crash.int.spec.ts: in each of the timeline's projectors' Nth batch (rows
// written, transaction not committed), reports how many events its rows account for, then
// waits to be killed.
const WRITTEN: Record<string, string> = {
  timeline: '(SELECT count(*) FROM %s.entries)',
  // A counted aggregate: an event applied twice would count twice.
  'customer-profiles': '(SELECT coalesce(sum(event_count), 0) FROM %s.profiles) + (SELECT coalesce(sum(event_count), 0) FROM %s.visitors)',
};

void runUntilKilled(
  () => CRASHED,
  async (context, _pool, projection) => {
    const [{ count }] = await context.tx.query<{ count: string }>(`SELECT ${WRITTEN[projection].replaceAll('%s', context.schema)} AS count`);
    return { written: Number(count) };
  },
);
