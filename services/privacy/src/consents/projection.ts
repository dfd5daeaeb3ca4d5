import { fromRecordedEvent, type EventOf, type StoredEvent } from '@rapport/contracts';
import type { Projection, Sql } from '@rapport/projections';

export const CONSENTS_READ_MODEL = 'consents';

/** Message channels a marketing consent is given for; chat has no consent of its own, so `any` covers it. */
export const CONSENT_CHANNEL_OF_MESSAGE: Record<EventOf<'MessageSent'>['data']['channel'], string> = {
  email: 'email',
  sms: 'sms',
  phone: 'phone',
  chat: 'any',
};

type Handled = EventOf<'ConsentChanged'> | EventOf<'MessageSent'>;
type HandledStored = StoredEvent & Handled;

/**
 * Every consent change as history, and every outbound campaign message with whether the
 * customer had a marketing consent for its channel at that instant. The verdict is
 * recomputed for each touched customer from both histories, so a consent that arrives
 * after a message but happened before it gives the same rows live and on a rebuild.
 */
export const consentsProjection: Projection<HandledStored | undefined> = {
  name: CONSENTS_READ_MODEL,
  version: 1,
  schema: 'consents',
  eventTypes: ['ConsentChanged', 'MessageSent'],
  tables: [
    {
      name: 'history',
      create: (schema) => `
        CREATE TABLE ${schema}.history (
          event_id       uuid PRIMARY KEY,
          customer_id    text NOT NULL,
          position       bigint NOT NULL,
          occurred_at    timestamptz NOT NULL,
          purpose        text NOT NULL,
          channel        text NOT NULL,
          granted        boolean NOT NULL,
          policy_version text,
          source         text NOT NULL
        );
        CREATE INDEX ON ${schema}.history (customer_id, purpose, occurred_at, position);`,
    },
    {
      name: 'campaign_messages',
      create: (schema) => `
        CREATE TABLE ${schema}.campaign_messages (
          event_id    uuid PRIMARY KEY,
          customer_id text NOT NULL,
          position    bigint NOT NULL,
          occurred_at timestamptz NOT NULL,
          channel     text NOT NULL,
          campaign    text NOT NULL,
          source      text NOT NULL,
          consented   boolean NOT NULL
        );
        CREATE INDEX ON ${schema}.campaign_messages (customer_id);
        CREATE INDEX ON ${schema}.campaign_messages (occurred_at, position) WHERE NOT consented;`,
    },
  ],
  decode(event) {
    const decoded = fromRecordedEvent(event);
    if (decoded.customerId === undefined) return undefined;
    if (decoded.type === 'ConsentChanged') return decoded;
    if (decoded.type === 'MessageSent' && decoded.data.direction === 'outbound' && decoded.data.campaign !== undefined) return decoded;
    return undefined;
  },
  async apply({ tx, schema }, events) {
    const consents: HandledStored[] = [];
    const messages: HandledStored[] = [];
    for (const event of events) {
      if (event?.type === 'ConsentChanged') consents.push(event);
      else if (event?.type === 'MessageSent') messages.push(event);
    }
    if (consents.length > 0) {
      await tx.query(
        `INSERT INTO ${schema}.history (event_id, customer_id, position, occurred_at, purpose, channel, granted, policy_version, source)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, customer_id text, position bigint, occurred_at timestamptz,
                purpose text, channel text, granted boolean, policy_version text, source text)
         ON CONFLICT (event_id) DO NOTHING`,
        [JSON.stringify(consents.map((event) => {
          const { data } = event as EventOf<'ConsentChanged'>;
          return { event_id: event.id, customer_id: event.customerId, position: event.position, occurred_at: event.occurredAt, purpose: data.purpose, channel: data.channel, granted: data.granted, policy_version: data.policyVersion ?? null, source: event.source };
        }))],
      );
    }
    if (messages.length > 0) {
      await tx.query(
        `INSERT INTO ${schema}.campaign_messages (event_id, customer_id, position, occurred_at, channel, campaign, source, consented)
         SELECT r.*, false FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, customer_id text, position bigint, occurred_at timestamptz,
                channel text, campaign text, source text)
         ON CONFLICT (event_id) DO NOTHING`,
        [JSON.stringify(messages.map((event) => {
          const { data } = event as EventOf<'MessageSent'>;
          return { event_id: event.id, customer_id: event.customerId, position: event.position, occurred_at: event.occurredAt, channel: CONSENT_CHANNEL_OF_MESSAGE[data.channel], campaign: data.campaign, source: event.source };
        }))],
      );
    }
    const touched = [...new Set([...consents, ...messages].map((event) => event.customerId as string))];
    if (touched.length > 0) await judgeMessages(tx, schema, touched);
  },
};

/** Sets each campaign message's verdict from the customer's latest marketing consent for its channel (or `any`) at its instant. */
async function judgeMessages(tx: Sql, schema: string, customerIds: readonly string[]): Promise<void> {
  await tx.query(
    `UPDATE ${schema}.campaign_messages m
        SET consented = coalesce((
              SELECT h.granted FROM ${schema}.history h
               WHERE h.customer_id = m.customer_id AND h.purpose = 'marketing'
                 AND (h.channel = m.channel OR h.channel = 'any') AND h.occurred_at <= m.occurred_at
               ORDER BY h.occurred_at DESC, h.position DESC LIMIT 1), false)
      WHERE m.customer_id = ANY($1::text[])`,
    [customerIds],
  );
}
