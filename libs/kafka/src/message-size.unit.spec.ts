import type { Message } from 'kafkajs';
import { isMessageTooLarge, recordBatchBytes } from './message-size';

// kafkajs' own encoders, to check the estimate against the bytes it really sends.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as { RecordBatch: (batch: { records: unknown[] }) => Promise<{ buffer: Buffer }> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (record: object) => unknown;

async function encodedBytes(messages: readonly Message[], timestampDelta: number): Promise<number> {
  const records = messages.map((message, offsetDelta) => Record({ offsetDelta, timestampDelta, key: message.key, value: message.value, headers: message.headers }));
  return (await RecordBatch({ records })).buffer.length;
}

describe('record batch size', () => {
  const messages: Message[] = [
    { key: 'c-1', value: JSON.stringify({ id: 'e-1', data: 'x'.repeat(300) }), headers: { 'event-id': 'e-1', 'event-type': 'OrderPlaced' } },
    { key: null, value: 'é'.repeat(70_000), headers: { stream: Buffer.from('customer-c-2') } },
    { key: 'c-3', value: null },
  ];

  it('never falls short of what kafkajs encodes, and overshoots by the timestamp allowance only', async () => {
    for (const timestampDelta of [0, 5, 1_000_000]) {
      const actual = await encodedBytes(messages, timestampDelta);
      const estimate = recordBatchBytes(messages);
      expect(estimate).toBeGreaterThanOrEqual(actual);
      expect(estimate - actual).toBeLessThanOrEqual(messages.length * 9);
    }
    expect(recordBatchBytes([])).toBe(61);
  });

  it('recognises the broker refusing a batch, also wrapped by kafkajs', () => {
    const refusal = Object.assign(new Error('too large'), { type: 'MESSAGE_TOO_LARGE' });
    expect(isMessageTooLarge(refusal)).toBe(true);
    expect(isMessageTooLarge(Object.assign(new Error('wrapped'), { cause: refusal }))).toBe(true);
    expect(isMessageTooLarge(Object.assign(new Error('other'), { type: 'NOT_LEADER_FOR_PARTITION' }))).toBe(false);
    expect(isMessageTooLarge(undefined)).toBe(false);
  });
});
