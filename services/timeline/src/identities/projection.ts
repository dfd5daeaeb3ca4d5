import { ERASED_MARKERS, fromRecordedEvent, visitorLinkOf, type StoredEvent } from '@rapport/contracts';
import { applyMerges, mergesTable, type Projection, type Sql } from '@rapport/projections';

type IdentifierKind = 'anonymous' | 'email' | 'phone';

interface IdentifierRow {
  readonly kind: IdentifierKind;
  readonly value: string;
  readonly customerId: string;
  readonly position: number;
}

/** Identifiers an event shows to belong to its customer: a linked visitor (placeholders never link), emails, phones. */
function identifiersOf(event: StoredEvent): IdentifierRow[] {
  if (event.customerId === undefined) return [];
  const rows: IdentifierRow[] = [];
  const add = (kind: IdentifierKind, value: string | null | undefined) => {
    if (!value) return;
    // An erased customer's events read as markers (and later ones are stored so): not identifiers.
    if (kind !== 'anonymous' && value === ERASED_MARKERS[kind]) return;
    rows.push({ kind, value: kind === 'email' ? value.toLowerCase() : value, customerId: event.customerId!, position: event.position });
  };
  const link = visitorLinkOf(event);
  if (link) add('anonymous', link.anonymousId);
  if (event.type === 'CustomerRegistered' || event.type === 'CustomerProfileUpdated' || event.type === 'CustomerIdentified') {
    add('email', event.data.email);
    add('phone', event.data.phone);
  }
  return rows;
}

async function insertIdentifiers(tx: Sql, schema: string, identifiers: readonly IdentifierRow[]): Promise<void> {
  if (identifiers.length === 0) return;
  await tx.query(
    `INSERT INTO ${schema}.identifiers AS i (kind, value, customer_id, position)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
     ON CONFLICT (kind, value, customer_id) DO UPDATE SET position = EXCLUDED.position WHERE EXCLUDED.position < i.position`,
    [identifiers.map((row) => row.kind), identifiers.map((row) => row.value), identifiers.map((row) => row.customerId), identifiers.map((row) => row.position)],
  );
}

/**
 * An erased customer's emails and phones go: they are the personal data. Its linked visitors
 * stay, as the timeline's visitor links do, so who wins a visitor does not change with erasure.
 */
async function eraseIdentifiers(tx: Sql, schema: string, customerId: string): Promise<void> {
  await tx.query(`DELETE FROM ${schema}.identifiers WHERE customer_id = $1 AND kind IN ('email', 'phone')`, [customerId]);
}

/**
 * Who is who: the identifiers (linked visitors, emails, phones) each customer was seen with,
 * and which customer is merged into which. Every other read model keeps each customer's own
 * rows; a read resolves merges through `merges`, so an unmerge needs no rewrite anywhere.
 */
export const identitiesProjection: Projection<StoredEvent> = {
  name: 'identities',
  version: 1,
  schema: 'identities',
  eventTypes: ['CustomerRegistered', 'CustomerProfileUpdated', 'CustomerIdentified', 'CustomerErased', 'CustomersMerged', 'CustomersUnmerged'],
  tables: [
    {
      name: 'identifiers',
      // position: where the customer was first seen with it; of several customers claiming one visitor, the lowest wins.
      create: (schema) => `
        CREATE TABLE ${schema}.identifiers (
          kind        text NOT NULL,
          value       text NOT NULL,
          customer_id text NOT NULL,
          position    bigint NOT NULL,
          PRIMARY KEY (kind, value, customer_id)
        );
        CREATE INDEX ON ${schema}.identifiers (customer_id)`,
    },
    mergesTable,
  ],
  decode: (event) => fromRecordedEvent(event),
  async apply({ tx, schema }, events) {
    // In delivery order, so an erasure removes what came before it whichever way the events are batched.
    let identifiers: IdentifierRow[] = [];
    for (const event of events) {
      if (event.type === 'CustomerErased' && event.customerId !== undefined) {
        await insertIdentifiers(tx, schema, identifiers);
        identifiers = [];
        await eraseIdentifiers(tx, schema, event.customerId);
      } else {
        identifiers.push(...identifiersOf(event));
      }
    }
    await insertIdentifiers(tx, schema, identifiers);
    await applyMerges(tx, schema, events);
  },
};
