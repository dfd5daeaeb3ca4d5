import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseEvent } from '@rapport/contracts';
import { v5 as uuidv5 } from 'uuid';
import { BatchPipeline, type BatchOutcome } from '../event-batches';
import type { JsonClient } from '../http-client';
import type { ImportEvent } from '../online-retail/mapping';

export type CdnowEvent = ImportEvent<'CustomerRegistered'> | ImportEvent<'OrderPlaced'>;

export const CDNOW_SOURCE = 'cdnow-import';
/** Fixed namespace for this importer's UUID v5 ids: the same record always gets the same event id. */
export const CDNOW_NAMESPACE = '9c2b7e41-5d0a-4f36-8b19-3e6a2f8d0c57';

/** `cdnow-<n>`, n the sample id without leading zeros (the ID column of the calibration summary). */
export const cdnowCustomerId = (sampleId: string) => `cdnow-${Number(sampleId)}`;

/** Dollars as written ("29.33", "0.00") to integer cents; string arithmetic, no float drift. */
export function parseCents(dollars: string): number {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(dollars);
  if (!match) throw new Error(`'${dollars}' is not an amount in dollars`);
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/**
 * One whitespace-separated record `master_id sample_id yyyymmdd number_of_cds dollar_value` → one
 * OrderPlaced at 00:00 UTC of its date (the models count purchase days, so the hour does not matter);
 * `line` is the 1-based line number, which names the order.
 */
export function mapRecord(text: string, line: number): ImportEvent<'OrderPlaced'> {
  const fields = text.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`line ${line}: expected 5 fields, got ${fields.length}`);
  const [, sampleId, date, cds, dollars] = fields;
  if (!/^\d+$/.test(sampleId)) throw new Error(`line ${line}: sample id '${sampleId}' is not a number`);
  if (!/^\d{8}$/.test(date)) throw new Error(`line ${line}: date '${date}' is not yyyymmdd`);
  if (!/^[1-9]\d*$/.test(cds)) throw new Error(`line ${line}: number of CDs '${cds}' is not a positive whole number`);
  const total = parseCents(dollars);
  const quantity = Number(cds);
  return {
    id: uuidv5(`cdnow:record:${line}`, CDNOW_NAMESPACE),
    type: 'OrderPlaced',
    customerId: cdnowCustomerId(sampleId),
    occurredAt: `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T00:00:00Z`,
    source: CDNOW_SOURCE,
    data: { orderId: `cdnow-${line}`, channel: 'web', currency: 'USD', total, lines: [{ sku: 'CD', quantity, unitPrice: Math.round(total / quantity) }] },
  };
}

export function registration(order: ImportEvent<'OrderPlaced'>): ImportEvent<'CustomerRegistered'> {
  return {
    id: uuidv5(`cdnow:customer:${order.customerId}`, CDNOW_NAMESPACE),
    type: 'CustomerRegistered',
    customerId: order.customerId,
    occurredAt: order.occurredAt,
    source: CDNOW_SOURCE,
    data: { signupChannel: 'import' },
  };
}

export interface CdnowSummary {
  readonly records: number;
  readonly customers: number;
  readonly events: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly elapsedMs: number;
}

/**
 * Streams the file, registering each customer before their first purchase, and sends the events
 * through the batch API (without a client: maps and validates only). Ids are derived from line
 * numbers and sample ids, so importing again stores nothing new.
 */
export async function importCdnow(options: { file: string; batchSize: number; client?: JsonClient; onRejected?(where: string, reason: string): void }): Promise<CdnowSummary> {
  const startedAt = Date.now();
  const totals = { stored: 0, duplicates: 0, rejected: 0 };
  const rejected = (where: string, reason: string) => {
    totals.rejected++;
    options.onRejected?.(where, reason);
  };
  const pipeline = options.client
    ? new BatchPipeline<CdnowEvent>(options.client, (outcome: BatchOutcome, sent) => {
        totals.stored += outcome.stored;
        totals.duplicates += outcome.duplicates;
        for (const { index, reason } of outcome.rejected) rejected(`${sent[index].type} ${sent[index].id}`, `rejected by the API: ${reason}`);
      })
    : undefined;
  const seen = new Set<string>();
  let records = 0;
  let events = 0;
  let batch: CdnowEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    events += batch.length;
    if (pipeline) await pipeline.submit(batch, batch);
    else
      for (const event of batch) {
        const result = parseEvent(event);
        if (!result.ok) rejected(`${event.type} ${event.id}`, result.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
      }
    batch = [];
  };
  let line = 0;
  for await (const text of createInterface({ input: createReadStream(options.file), crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let order: ImportEvent<'OrderPlaced'>;
    try {
      order = mapRecord(text, line);
    } catch (error) {
      rejected(`line ${line}`, (error as Error).message);
      continue;
    }
    records++;
    const customerId = order.customerId as string;
    if (!seen.has(customerId)) {
      seen.add(customerId);
      batch.push(registration(order));
    }
    batch.push(order);
    if (batch.length >= options.batchSize) await flush();
  }
  await flush();
  await pipeline?.drain();
  return { records, customers: seen.size, events, ...totals, elapsedMs: Date.now() - startedAt };
}
