import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseEvent } from '@rapport/contracts';
import { RetailEventMapper, type Invoice, type RetailRow } from './mapping';
import { planInvoices, readInvoices, readRetailRows } from './reader';

// shared/ sits beside the repository clone.
const REAL_FILE = join(__dirname, '../../../../../shared/data/online-retail.csv.gz');

// Invoice 536367 is interrupted by C536368, as 542806 is in the real file.
const FIXTURE = `InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country
536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom
536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom
536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,2010-12-01 08:34:00,1.69,13047.0,United Kingdom
C536368,22960,"JAM MAKING SET, WITH JARS",-1,2010-12-01 08:34:00,4.25,17850.0,United Kingdom
536367,22745,"POPPY'S PLAYHOUSE ""BEDROOM""",6,2010-12-01 08:35:00,2.1,13047.0,United Kingdom
536414,22139,,56,2010-12-01 11:52:00,0,,United Kingdom
536589,21777,,-10,2010-12-01 16:50:00,0,,United Kingdom
`;

describe('reading an Online Retail file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'retail-reader-'));
    await writeFile(join(dir, 'retail.csv'), FIXTURE);
    await writeFile(join(dir, 'retail.csv.gz'), gzipSync(FIXTURE));
    await writeFile(join(dir, 'other.csv'), 'a,b,c\n1,2,3\n');
  });

  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function invoicesOf(file: string, limit?: number): Promise<Invoice[]> {
    const plan = await planInvoices(join(dir, file), limit);
    const invoices: Invoice[] = [];
    for await (const invoice of readInvoices(join(dir, file), plan)) invoices.push(invoice);
    return invoices;
  }

  it('reads quoted fields with commas and doubled quotes', async () => {
    const rows: RetailRow[] = [];
    for await (const row of readRetailRows(join(dir, 'retail.csv'))) rows.push(row);
    expect(rows).toHaveLength(7);
    expect(rows[3]).toEqual({
      row: 4,
      invoiceNo: 'C536368',
      stockCode: '22960',
      description: 'JAM MAKING SET, WITH JARS',
      quantity: '-1',
      invoiceDate: '2010-12-01 08:34:00',
      unitPrice: '4.25',
      customerId: '17850.0',
      country: 'United Kingdom',
    });
    expect(rows[4].description).toBe('POPPY\'S PLAYHOUSE "BEDROOM"');
  });

  it('groups rows by invoice, completing an interrupted invoice after its last row', async () => {
    const plan = await planInvoices(join(dir, 'retail.csv'));
    expect(plan.rows).toBe(7);
    expect(plan.splitInvoices).toEqual(['536367']);
    const invoices = await invoicesOf('retail.csv');
    expect(invoices.map((i) => [i.number, i.rows.map((r) => r.row)])).toEqual([
      ['536365', [1, 2]],
      ['C536368', [4]],
      ['536367', [3, 5]],
      ['536414', [6]],
      ['536589', [7]],
    ]);
  });

  it('reads gzip the same as plain CSV', async () => {
    expect(await invoicesOf('retail.csv.gz')).toEqual(await invoicesOf('retail.csv'));
  });

  it('limits to the first N invoices, each complete', async () => {
    const invoices = await invoicesOf('retail.csv', 2);
    expect(invoices.map((i) => [i.number, i.rows.length])).toEqual([
      ['536365', 2],
      ['536367', 2],
    ]);
  });

  it('refuses a file with other columns', async () => {
    await expect(planInvoices(join(dir, 'other.csv'))).rejects.toThrow('not an Online Retail file');
  });

  it('streams the first 2,000 rows of the real file into valid events', async () => {
    const groups: RetailRow[][] = [];
    for await (const row of readRetailRows(REAL_FILE)) {
      if (row.row > 2000) break;
      const last = groups[groups.length - 1];
      if (last && last[0].invoiceNo === row.invoiceNo) last.push(row);
      else groups.push([row]);
    }
    groups.pop(); // may continue past row 2,000
    const mapper = new RetailEventMapper();
    const events = groups.flatMap((rows) => mapper.map({ number: rows[0].invoiceNo, rows }));

    expect(groups).toHaveLength(96);
    expect(groups.reduce((sum, rows) => sum + rows.length, 0)).toBe(1989);
    expect(mapper.tally).toMatchObject({ invoices: 96, orders: 83, returns: 6, customersRegistered: 71, guestInvoices: 7 });
    const failures = events.map((event) => parseEvent(event)).filter((result) => !result.ok);
    expect(failures).toEqual([]);
    const orderPence = events.reduce((sum, e) => (e.type === 'OrderPlaced' ? sum + e.data.total : sum), 0);
    expect(orderPence).toBe(3255216);
    expect(events[0]).toMatchObject({ type: 'CustomerRegistered', customerId: '17850', data: { country: 'GB' } });
    expect(events[1]).toMatchObject({ type: 'OrderPlaced', customerId: '17850', occurredAt: '2010-12-01T08:26:00.000Z' });
  });
});
