import { fromRecordedEvent, visitorLinkOf, type StoredEvent } from '@rapport/contracts';
import { applyMerges, mergesTable, type Projection } from '@rapport/projections';

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
    if (value) rows.push({ kind, value: kind === 'email' ? value.toLowerCase() : value, customerId: event.customerId!, position: event.position });
  };
  const link = visitorLinkOf(event);
  if (link) add('anonymous', link.anonymousId);
  if (event.type === 'CustomerRegistered' || event.type === 'CustomerProfileUpdated' || event.type === 'CustomerIdentified') {
    add('email', event.data.email);
    add('phone', event.data.phone);
  }
  return rows;
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
  eventTypes: ['CustomerRegistered', 'CustomerProfileUpdated', 'CustomerIdentified', 'CustomersMerged', 'CustomersUnmerged'],
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
    const identifiers = events.flatMap(identifiersOf);
    if (identifiers.length > 0) {
      await tx.query(
        `INSERT INTO ${schema}.identifiers AS i (kind, value, customer_id, position)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
         ON CONFLICT (kind, value, customer_id) DO UPDATE SET position = EXCLUDED.position WHERE EXCLUDED.position < i.position`,
        [identifiers.map((row) => row.kind), identifiers.map((row) => row.value), identifiers.map((row) => row.customerId), identifiers.map((row) => row.position)],
      );
    }
    await applyMerges(tx, schema, events);
  },
};
