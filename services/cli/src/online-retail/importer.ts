import { parseEvent } from '@rapport/contracts';
import { BatchPipeline, type BatchOutcome } from '../event-batches';
import type { JsonClient } from '../http-client';
import { RetailEventMapper, RetailMappingError, type ImportTally, type RetailEvent } from './mapping';
import { planInvoices, readInvoices } from './reader';

export interface ImportOptions {
  readonly file: string;
  /** Import only the first N invoices (in order of first appearance), each complete. */
  readonly limit?: number;
  readonly batchSize: number;
  /** Where to send events; without one the events are only mapped and validated (dry run). */
  readonly client?: JsonClient;
  onPlanned?(rows: number): void;
  onProgress?(rowsRead: number, totals: { stored: number; duplicates: number; rejected: number }): void;
  onRejected?(where: string, reason: string): void;
}

export interface ImportSummary extends ImportTally {
  readonly rows: number;
  readonly splitInvoices: readonly string[];
  readonly events: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly elapsedMs: number;
}

/**
 * Reads the file twice (see reader.ts), maps invoices to events and sends them in order,
 * one batch in flight while the next is read. An invoice that cannot be mapped, or that
 * the API refuses, is reported and skipped; the import goes on.
 */
export async function importOnlineRetail(options: ImportOptions): Promise<ImportSummary> {
  const startedAt = Date.now();
  const plan = await planInvoices(options.file, options.limit);
  options.onPlanned?.(plan.rows);

  const mapper = new RetailEventMapper();
  const totals = { stored: 0, duplicates: 0, rejected: 0 };
  let events = 0;
  let rowsRead = 0;
  const rejected = (where: string, reason: string) => {
    totals.rejected++;
    options.onRejected?.(where, reason);
  };
  const pipeline = options.client
    ? new BatchPipeline<RetailEvent>(options.client, (outcome: BatchOutcome, sent) => {
        totals.stored += outcome.stored;
        totals.duplicates += outcome.duplicates;
        for (const { index, reason } of outcome.rejected) rejected(describe(sent[index]), `rejected by the API: ${reason}`);
      })
    : undefined;

  let batch: RetailEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    events += batch.length;
    if (pipeline) await pipeline.submit(batch, batch);
    else for (const event of batch) checkContract(event, rejected);
    batch = [];
    options.onProgress?.(rowsRead, totals);
  };

  for await (const invoice of readInvoices(options.file, plan, () => rowsRead++)) {
    let mapped: RetailEvent[];
    try {
      mapped = mapper.map(invoice);
    } catch (error) {
      if (!(error instanceof RetailMappingError)) throw error;
      rejected(`invoice ${invoice.number}`, error.message);
      continue;
    }
    if (batch.length + mapped.length > options.batchSize) await flush();
    batch.push(...mapped);
  }
  await flush();
  await pipeline?.drain();
  options.onProgress?.(rowsRead, totals);

  return {
    ...mapper.tally,
    rows: plan.rows,
    splitInvoices: plan.splitInvoices,
    events,
    ...totals,
    elapsedMs: Date.now() - startedAt,
  };
}

function describe(event: RetailEvent): string {
  return event.type === 'CustomerRegistered' ? `customer ${event.customerId}` : `invoice ${event.data.orderId}`;
}

function checkContract(event: RetailEvent, rejected: (where: string, reason: string) => void): void {
  const result = parseEvent(event);
  if (!result.ok) rejected(describe(event), result.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
}
