import { z } from 'zod';
import { currency, identifier, isoDateTime, line, minorUnits, quantity, sku } from './fields';
import { defineEvent } from './registry';

export const orderChannel = z.enum(['web', 'app', 'store', 'phone', 'marketplace']);

// Large wholesale invoices run to about a thousand lines.
const MAX_LINES = 5000;

export const orderLine = z.strictObject({
  sku,
  name: line(300).optional(),
  quantity,
  unitPrice: minorUnits,
});

// `total` is what the customer was charged; it is not checked against the lines because
// real totals carry rounding, discounts and shipping.
export const orderPlacedData = z.strictObject({
  orderId: identifier,
  channel: orderChannel,
  currency,
  total: minorUnits,
  lines: z.array(orderLine).min(1).max(MAX_LINES),
});

export const orderShippedData = z.strictObject({
  orderId: identifier,
  carrier: line(100).optional(),
  trackingNumber: line(100).optional(),
  shippedAt: isoDateTime.optional(),
});

export const orderDeliveredData = z.strictObject({
  orderId: identifier,
});

export const orderCancelledData = z.strictObject({
  orderId: identifier,
  reason: line(500).optional(),
});

export const returnedLine = z.strictObject({
  sku,
  quantity,
  unitPrice: minorUnits.optional(),
});

export const orderReturnedData = z.strictObject({
  orderId: identifier,
  refundAmount: minorUnits,
  currency,
  lines: z.array(returnedLine).min(1).max(MAX_LINES),
  reason: line(500).optional(),
});

export const orderEvents = {
  OrderPlaced: defineEvent(orderPlacedData),
  OrderShipped: defineEvent(orderShippedData),
  OrderDelivered: defineEvent(orderDeliveredData),
  OrderCancelled: defineEvent(orderCancelledData),
  OrderReturned: defineEvent(orderReturnedData),
};
