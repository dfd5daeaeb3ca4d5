import { parseEvent } from '@rapport/contracts';
import {
  classifyInvoice,
  customerEventId,
  invoiceEvent,
  londonTimeToUtc,
  orderEventId,
  parseCustomerId,
  parsePence,
  RetailEventMapper,
  RetailMappingError,
  type Invoice,
  type RetailRow,
} from './mapping';

let nextRow = 1;
function row(fields: Partial<RetailRow> & Pick<RetailRow, 'invoiceNo'>): RetailRow {
  return {
    row: nextRow++,
    stockCode: '85123A',
    description: 'WHITE HANGING HEART T-LIGHT HOLDER',
    quantity: '6',
    invoiceDate: '2010-12-01 08:26:00',
    unitPrice: '2.55',
    customerId: '17850.0',
    country: 'United Kingdom',
    ...fields,
  };
}

const invoice = (number: string, rows: Partial<RetailRow>[]): Invoice => ({
  number,
  rows: rows.map((fields) => row({ invoiceNo: number, ...fields })),
});

describe('parsePence', () => {
  it.each([
    ['2.55', 255],
    ['0.29', 29],
    ['1.1', 110],
    ['4', 400],
    ['11062.06', 1106206],
    ['1.005', 101],
    ['0.004', 0],
    ['0.001', 0],
    ['-11062.06', -1106206],
  ])('reads £%s as %i pence', (pounds, pence) => {
    expect(parsePence(pounds)).toBe(pence);
  });

  it('sums without float error where floats drift', () => {
    // 0.1 + 0.2 in floating point pounds is 0.30000000000000004
    expect(parsePence('0.1') + parsePence('0.2')).toBe(30);
    expect(3 * parsePence('1.15')).toBe(345);
  });

  it('rejects what is not a decimal', () => {
    expect(() => parsePence('1e-3')).toThrow("'1e-3' is not a decimal amount");
    expect(() => parsePence('')).toThrow();
  });
});

describe('parseCustomerId', () => {
  it('drops the float suffix and reads empty as a guest', () => {
    expect(parseCustomerId('17850.0')).toBe('17850');
    expect(parseCustomerId('12346')).toBe('12346');
    expect(parseCustomerId('')).toBeUndefined();
    expect(() => parseCustomerId('17850.5')).toThrow('not a whole number');
  });
});

describe('londonTimeToUtc', () => {
  it('keeps GMT winter times as they are', () => {
    expect(londonTimeToUtc('2010-12-01 08:26:00')).toBe('2010-12-01T08:26:00.000Z');
  });

  it('takes an hour off BST summer times', () => {
    expect(londonTimeToUtc('2011-07-26 10:13:00')).toBe('2011-07-26T09:13:00.000Z');
  });

  it('switches on the last Sundays of March and October 2011', () => {
    expect(londonTimeToUtc('2011-03-27 00:59:00')).toBe('2011-03-27T00:59:00.000Z');
    expect(londonTimeToUtc('2011-03-27 02:00:00')).toBe('2011-03-27T01:00:00.000Z');
    expect(londonTimeToUtc('2011-10-30 00:30:00')).toBe('2011-10-29T23:30:00.000Z');
    expect(londonTimeToUtc('2011-10-30 02:00:00')).toBe('2011-10-30T02:00:00.000Z');
  });

  it('reads a wall-clock time skipped in spring as the hour after', () => {
    expect(londonTimeToUtc('2011-03-27 01:30:00')).toBe('2011-03-27T01:30:00.000Z');
  });

  it('rejects other formats', () => {
    expect(() => londonTimeToUtc('01/12/2010 08:26')).toThrow('is not a date-time');
  });
});

describe('invoiceEvent', () => {
  it('maps an invoice to OrderPlaced with lines and total in pence', () => {
    const event = invoiceEvent(
      invoice('536365', [
        { stockCode: '85123A', description: 'WHITE HANGING HEART T-LIGHT HOLDER ', quantity: '6', unitPrice: '2.55' },
        { stockCode: '71053', description: 'WHITE METAL LANTERN', quantity: '6', unitPrice: '3.39', invoiceDate: '2010-12-01 08:27:00' },
        { stockCode: 'POST', description: '', quantity: '1', unitPrice: '0.1' },
      ]),
    );
    expect(event).toEqual({
      id: orderEventId('536365'),
      type: 'OrderPlaced',
      customerId: '17850',
      occurredAt: '2010-12-01T08:26:00.000Z',
      source: 'online-retail-import',
      data: {
        orderId: '536365',
        channel: 'web',
        currency: 'GBP',
        total: 6 * 255 + 6 * 339 + 10,
        lines: [
          { sku: '85123A', name: 'WHITE HANGING HEART T-LIGHT HOLDER', quantity: 6, unitPrice: 255 },
          { sku: '71053', name: 'WHITE METAL LANTERN', quantity: 6, unitPrice: 339 },
          { sku: 'POST', quantity: 1, unitPrice: 10 },
        ],
      },
    });
    expect(parseEvent(event)).toMatchObject({ ok: true });
  });

  it('maps a C invoice to OrderReturned with positive quantities and refund', () => {
    const event = invoiceEvent(
      invoice('C536379', [
        { stockCode: 'D', description: 'Discount', quantity: '-1', unitPrice: '27.50', invoiceDate: '2011-06-01 09:41:00', customerId: '14527.0' },
        { stockCode: '22556', quantity: '-12', unitPrice: '1.65', invoiceDate: '2011-06-01 09:41:00', customerId: '14527.0' },
      ]),
    );
    expect(event).toEqual({
      id: orderEventId('C536379'),
      type: 'OrderReturned',
      customerId: '14527',
      occurredAt: '2011-06-01T08:41:00.000Z',
      source: 'online-retail-import',
      data: {
        orderId: 'C536379',
        refundAmount: 2750 + 12 * 165,
        currency: 'GBP',
        lines: [
          { sku: 'D', quantity: 1, unitPrice: 2750 },
          { sku: '22556', quantity: 12, unitPrice: 165 },
        ],
      },
    });
    expect(parseEvent(event)).toMatchObject({ ok: true });
  });

  it('names the row of a line it cannot map', () => {
    const bad = invoice('536400', [{ quantity: '2' }, { quantity: '-3' }]);
    expect(() => invoiceEvent(bad)).toThrow(RetailMappingError);
    expect(() => invoiceEvent(bad)).toThrow(`row ${bad.rows[1].row}: quantity -3 in order 536400`);
  });
});

describe('classifyInvoice', () => {
  it('tells orders, returns, guest checkouts and stock adjustments apart', () => {
    expect(classifyInvoice(invoice('536365', [{}]))).toBe('order');
    expect(classifyInvoice(invoice('C536379', [{ quantity: '-1' }]))).toBe('return');
    expect(classifyInvoice(invoice('536544', [{ customerId: '' }]))).toBe('guest');
    expect(classifyInvoice(invoice('C536548', [{ customerId: '', quantity: '-2' }]))).toBe('guest');
    expect(classifyInvoice(invoice('536589', [{ customerId: '', quantity: '-10', unitPrice: '0' }]))).toBe('stock-adjustment');
  });
});

describe('RetailEventMapper', () => {
  it('registers a customer once, before their first order or return, and counts what it skips', () => {
    const mapper = new RetailEventMapper();
    const first = mapper.map(invoice('536365', [{ country: 'EIRE', invoiceDate: '2011-05-02 10:00:00' }]));
    const second = mapper.map(invoice('C536383', [{ quantity: '-1' }]));
    const guest = mapper.map(invoice('536544', [{ customerId: '' }]));
    const adjustment = mapper.map(invoice('536589', [{ customerId: '', quantity: '-10' }]));

    expect(first.map((e) => e.type)).toEqual(['CustomerRegistered', 'OrderPlaced']);
    expect(first[0]).toEqual({
      id: customerEventId('17850'),
      type: 'CustomerRegistered',
      customerId: '17850',
      occurredAt: '2011-05-02T09:00:00.000Z',
      source: 'online-retail-import',
      data: { signupChannel: 'import', country: 'IE' },
    });
    expect(second.map((e) => e.type)).toEqual(['OrderReturned']);
    expect(guest).toEqual([]);
    expect(adjustment).toEqual([]);
    expect(mapper.tally).toEqual({
      invoices: 4,
      orders: 1,
      returns: 1,
      customersRegistered: 1,
      guestInvoices: 1,
      guestReturns: 0,
      stockAdjustments: 1,
    });
    for (const event of [...first, ...second]) expect(parseEvent(event)).toMatchObject({ ok: true });
  });

  it('leaves the country out where the file names no single country', () => {
    const [registered] = new RetailEventMapper().map(invoice('536365', [{ country: 'Channel Islands' }]));
    expect(registered.data).toEqual({ signupChannel: 'import' });
  });

  it('gives the same ids on every run', () => {
    const once = new RetailEventMapper().map(invoice('536365', [{}]));
    const again = new RetailEventMapper().map(invoice('536365', [{}]));
    expect(once.map((e) => e.id)).toEqual(again.map((e) => e.id));
    expect(once[0].id).not.toEqual(once[1].id);
  });
});
