import type { IHeaders, Message } from 'kafkajs';

/** Kafka's default `max.message.bytes` for a topic (and `message.max.bytes` for a broker). */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;

/** A v2 record batch's fixed part: base offset, length, leader epoch, magic, CRC, attributes, deltas, timestamps, producer id/epoch, sequence, count. */
const BATCH_OVERHEAD = 61;
/** kafkajs stamps each message when sent; the delta to the batch's first timestamp is counted at its widest, so a size is never under-estimated. */
const WIDEST_VARLONG = 10;

/**
 * Bytes a batch of these messages takes on the broker, uncompressed, which is what a topic's
 * `max.message.bytes` limits (one batch per partition per send).
 */
export function recordBatchBytes(messages: readonly Message[]): number {
  return messages.reduce((sum, message, index) => sum + recordBytes(message, index), BATCH_OVERHEAD);
}

/** One record of a v2 batch: length, attributes, timestamp and offset deltas, key, value, headers. */
export function recordBytes(message: Message, offsetDelta = 0): number {
  const body = 1 + WIDEST_VARLONG + varIntBytes(offsetDelta) + bytesField(message.key) + bytesField(message.value) + headersBytes(message.headers);
  return varIntBytes(body) + body;
}

/** True for the broker's refusal of a batch that is too large, as kafkajs reports it (often wrapped as the cause). */
export function isMessageTooLarge(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const type = (current as { type?: unknown }).type;
    if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') return true;
  }
  return false;
}

function headersBytes(headers: IHeaders | undefined): number {
  const pairs = Object.entries(headers ?? {}).flatMap(([name, value]) => (Array.isArray(value) ? value.map((item) => [name, item] as const) : [[name, value] as const]));
  let size = varIntBytes(pairs.length);
  for (const [name, value] of pairs) {
    const nameBytes = Buffer.byteLength(name);
    size += varIntBytes(nameBytes) + nameBytes + bytesField(value);
  }
  return size;
}

function bytesField(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return varIntBytes(-1);
  const length = Buffer.isBuffer(value) ? value.length : Buffer.byteLength(value);
  return varIntBytes(length) + length;
}

/** Length of a zig-zag varint, as Kafka writes lengths and deltas. */
function varIntBytes(value: number): number {
  let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
  let bytes = 1;
  while (zigzag >= 0x80) {
    zigzag = Math.floor(zigzag / 0x80);
    bytes += 1;
  }
  return bytes;
}
