import { fromRecordedEvent, MERGE_DECISION_TYPES, type StoredEvent } from '@rapport/contracts';
import { applyMerges, mergesTable, type Projection } from '@rapport/projections';

export const LOYALTY_MERGES_SCHEMA = 'loyalty_merges';

/**
 * Which account is merged into which. Accounts keep their own streams and rows; the account
 * view and ledger of a survivor fold its merged accounts in when read, so an unmerge restores them.
 */
export const loyaltyMergesProjection: Projection<StoredEvent> = {
  name: 'loyalty-merges',
  version: 1,
  schema: LOYALTY_MERGES_SCHEMA,
  eventTypes: MERGE_DECISION_TYPES,
  tables: [mergesTable],
  decode: (event) => fromRecordedEvent(event),
  async apply({ tx, schema }, events) {
    await applyMerges(tx, schema, events);
  },
};
