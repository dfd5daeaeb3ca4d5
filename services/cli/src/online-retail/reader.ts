import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import type { Invoice, RetailRow } from './mapping';

export const RETAIL_COLUMNS = ['InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country'] as const;

async function isGzip(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { bytesRead, buffer } = await file.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await file.close();
  }
}

const RECORDS_PER_BATCH = 2_000;

/**
 * The file's records after its header (plain CSV or gzip, told apart by its magic bytes),
 * in batches: handing over records one by one through async iteration costs more than
 * parsing them. The parser pauses while a batch waits, so memory stays bounded.
 */
async function* readRecordBatches(path: string): AsyncGenerator<string[][]> {
  const source: Readable = (await isGzip(path)) ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  const parser = source.pipe(parse({ bom: true }));
  let batch: string[][] = [];
  let headerSeen = false;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  parser.on('data', (record: string[]) => {
    if (headerSeen) batch.push(record);
    else {
      headerSeen = true;
      const problem = headerProblem(record);
      if (problem) parser.destroy(new Error(problem));
    }
    if (batch.length >= RECORDS_PER_BATCH) parser.pause();
    signal();
  });
  parser.on('end', () => {
    ended = true;
    signal();
  });
  parser.on('error', (error) => {
    failure = error.message.startsWith('not an Online Retail file') ? error : new Error(`${path} is not readable as CSV: ${error.message}`);
    signal();
  });
  source.on('error', (error) => parser.destroy(error));
  try {
    for (;;) {
      if (batch.length > 0) {
        const ready = batch;
        batch = [];
        parser.resume();
        yield ready;
      } else if (failure !== undefined) {
        throw failure;
      } else if (ended) {
        if (!headerSeen) throw new Error(headerProblem([]));
        return;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    parser.destroy();
    source.destroy();
  }
}

/** Streams the file's rows one by one (for small reads; the import itself works on batches). */
export async function* readRetailRows(path: string): AsyncGenerator<RetailRow> {
  let row = 1;
  for await (const records of readRecordBatches(path)) {
    for (const record of records) yield toRow(record, row++);
  }
}

function toRow(record: readonly string[], row: number): RetailRow {
  const [invoiceNo, stockCode, description, quantity, invoiceDate, unitPrice, customerId, country] = record;
  return { row, invoiceNo, stockCode, description, quantity, invoiceDate, unitPrice, customerId, country };
}

function headerProblem(header: readonly string[]): string | undefined {
  if (header.length === RETAIL_COLUMNS.length && RETAIL_COLUMNS.every((name, i) => header[i].trim() === name)) return undefined;
  return `not an Online Retail file: expected columns ${RETAIL_COLUMNS.join(',')}, found ${header.join(',') || 'nothing'}`;
}

export interface InvoicePlan {
  /** Rows per invoice, in order of each invoice's first row. */
  readonly rowsPerInvoice: ReadonlyMap<string, number>;
  readonly rows: number;
  /** Invoices whose rows are interrupted by another invoice's rows. */
  readonly splitInvoices: readonly string[];
}

/**
 * First pass: how many rows each invoice has. With it the second pass can emit an invoice
 * the moment its last row arrives, even when its rows are not contiguous (the file has one
 * such invoice), while holding only the invoices still open.
 */
export async function planInvoices(path: string, limit?: number): Promise<InvoicePlan> {
  const rowsPerInvoice = new Map<string, number>();
  const splitInvoices: string[] = [];
  let previous: string | undefined;
  let rows = 0;
  for await (const records of readRecordBatches(path)) {
    for (const [invoiceNo] of records) {
      const count = rowsPerInvoice.get(invoiceNo);
      if (count === undefined) {
        if (limit !== undefined && rowsPerInvoice.size >= limit) continue;
      } else if (invoiceNo !== previous && !splitInvoices.includes(invoiceNo)) {
        splitInvoices.push(invoiceNo);
      }
      rowsPerInvoice.set(invoiceNo, (count ?? 0) + 1);
      previous = invoiceNo;
      rows++;
    }
  }
  return { rowsPerInvoice, rows, splitInvoices };
}

/**
 * Second pass: yields each planned invoice complete, in the order its last row appears.
 * `onRow` sees every row read, for progress.
 */
export async function* readInvoices(path: string, plan: InvoicePlan, onRow?: (row: RetailRow) => void): AsyncGenerator<Invoice> {
  const open = new Map<string, RetailRow[]>();
  let remaining = plan.rowsPerInvoice.size;
  let rowNumber = 0;
  for await (const records of readRecordBatches(path)) {
    for (const record of records) {
      const row = toRow(record, ++rowNumber);
      const expected = plan.rowsPerInvoice.get(row.invoiceNo);
      if (expected === undefined) continue;
      onRow?.(row);
      const rows = open.get(row.invoiceNo) ?? [];
      rows.push(row);
      if (rows.length < expected) {
        open.set(row.invoiceNo, rows);
        continue;
      }
      open.delete(row.invoiceNo);
      yield { number: row.invoiceNo, rows };
      // Under a limit the rest of the file holds nothing planned.
      if (--remaining === 0) return;
    }
  }
  if (open.size > 0) throw new Error(`the file changed while it was read: ${open.size} invoices ended early`);
}
