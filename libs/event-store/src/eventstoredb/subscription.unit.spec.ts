import { randomUUID } from 'node:crypto';
import { PassThrough, type ReadableOptions } from 'node:stream';
import type { AllStreamResolvedEvent, EventStoreDBClient, SubscribeToAllOptions } from '@eventstore/db-client';
import type { RecordedEvent } from '../event-store';
import { AllStreamBatches } from './subscription';

// EventStoreDB cannot run here: a PassThrough stands in for the client's $all subscription stream.
class FakeSource extends PassThrough {
  unsubscribed = false;
  constructor(readonly options: SubscribeToAllOptions | undefined, readableOptions: ReadableOptions) {
    super({ objectMode: true, highWaterMark: readableOptions.highWaterMark });
  }
  async unsubscribe(): Promise<void> {
    this.unsubscribed = true;
  }
}

function fakeClient() {
  const sources: FakeSource[] = [];
  const client = {
    subscribeToAll: (options?: SubscribeToAllOptions, readableOptions: ReadableOptions = {}) => {
      const source = new FakeSource(options, readableOptions);
      sources.push(source);
      return source;
    },
  } as unknown as EventStoreDBClient;
  return { client, source: () => sources[0] };
}

function resolved(commit: number, streamId = 'customer-1', type = 'OrderPlaced'): AllStreamResolvedEvent {
  return {
    event: {
      streamId,
      id: randomUUID(),
      isJson: true,
      revision: BigInt(commit),
      type,
      created: new Date(Date.UTC(2024, 0, 1)),
      data: { commit },
      metadata: {},
      position: { commit: BigInt(commit), prepare: BigInt(commit) },
    },
  } as AllStreamResolvedEvent;
}

/** Lets queued callbacks and stream events run until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1_000 && !condition(); turn++) await new Promise((resolve) => setImmediate(resolve));
  expect(condition()).toBe(true);
}

describe('AllStreamBatches', () => {
  it('delivers batches in order, one at a time, without system events', async () => {
    const { client, source } = fakeClient();
    const batches: number[][] = [];
    let running = 0;
    let overlapped = false;
    let release!: () => void;
    let gate = new Promise<void>((resolve) => (release = resolve));
    const subscription = new AllStreamBatches(client, {
      batchSize: 3,
      onEvents: async (events) => {
        overlapped ||= running > 0;
        running++;
        batches.push(events.map((event) => event.position));
        await gate;
        running--;
      },
    }, async () => 0);

    for (const commit of [1, 2, 3, 4]) source().write(resolved(commit));
    source().write(resolved(5, '$settings', 'Settings'));
    source().write(resolved(6, 'customer-1', '$>'));
    source().write(resolved(7));
    await until(() => batches.length === 1);
    expect(batches).toEqual([[1, 2, 3]]);

    gate = Promise.resolve();
    release();
    await until(() => batches.length === 2);
    expect(batches).toEqual([[1, 2, 3], [4, 7]]);
    expect(overlapped).toBe(false);
    await subscription.stop();
  });

  it('subscribes from the checkpoint and never hands back the event it was taken from', async () => {
    const { client, source } = fakeClient();
    const delivered: RecordedEvent[] = [];
    const onEvents = async (events: readonly RecordedEvent[]) => void delivered.push(...events);
    const subscription = new AllStreamBatches(client, { from: '20:20', onEvents }, async () => 0);
    expect(source().options?.fromPosition).toEqual({ commit: 20n, prepare: 20n });

    for (const commit of [19, 20, 21, 22]) source().write(resolved(commit));
    await until(() => delivered.length === 2);
    expect(delivered.map((event) => [event.position, event.checkpoint])).toEqual([[21, '21:21'], [22, '22:22']]);
    await subscription.stop();
  });

  it('is caught up only once the server says so and everything it sent has been handled', async () => {
    const { client, source } = fakeClient();
    const releases: Array<() => void> = [];
    const handled: number[] = [];
    const subscription = new AllStreamBatches(client, {
      onEvents: async (events) => {
        await new Promise<void>((resolve) => releases.push(resolve));
        handled.push(...events.map((event) => event.position));
      },
    }, async () => Number.MAX_SAFE_INTEGER);
    expect(subscription.caughtUp).toBe(false);

    source().write(resolved(1));
    source().emit('caughtUp');
    await until(() => releases.length === 1);
    expect(subscription.caughtUp).toBe(false);
    releases[0]();
    await until(() => subscription.caughtUp);
    expect(handled).toEqual([1]);

    source().write(resolved(2));
    expect(subscription.caughtUp).toBe(false);
    await until(() => releases.length === 2);
    expect(subscription.caughtUp).toBe(false);
    releases[1]();
    await until(() => subscription.caughtUp);
    expect(handled).toEqual([1, 2]);

    source().emit('fellBehind');
    expect(subscription.caughtUp).toBe(false);
    await subscription.stop();
  });

  it('falls back to comparing with the head when the server sends no caught-up signal', async () => {
    const { client, source } = fakeClient();
    const subscription = new AllStreamBatches(client, { onEvents: async () => undefined }, async () => 42);
    source().write(resolved(41));
    await until(() => source().readableLength === 0);
    expect(subscription.caughtUp).toBe(false);
    source().write(resolved(42));
    await until(() => subscription.caughtUp);
    await subscription.stop();
  });

  it('resolves closed on stop and lets the batch in hand finish first', async () => {
    const { client, source } = fakeClient();
    let finished = false;
    let release!: () => void;
    const subscription = new AllStreamBatches(client, {
      onEvents: async () => {
        await new Promise<void>((resolve) => (release = resolve));
        finished = true;
      },
    }, async () => 0);
    source().write(resolved(1));
    await until(() => release !== undefined);
    const stopped = subscription.stop();
    release();
    await stopped;
    await expect(subscription.closed).resolves.toBeUndefined();
    expect([finished, source().unsubscribed]).toEqual([true, true]);
  });

  it('rejects closed with the handler error and unsubscribes', async () => {
    const { client, source } = fakeClient();
    const subscription = new AllStreamBatches(client, {
      onEvents: async () => {
        throw new Error('handler broke');
      },
    }, async () => 0);
    source().write(resolved(1));
    await expect(subscription.closed).rejects.toThrow('handler broke');
    expect(source().unsubscribed).toBe(true);
  });

  it('rejects closed when the store fails or ends the subscription', async () => {
    const failing = fakeClient();
    const failed = new AllStreamBatches(failing.client, { onEvents: async () => undefined }, async () => 0);
    failing.source().destroy(new Error('connection reset'));
    await expect(failed.closed).rejects.toThrow('connection reset');

    const ending = fakeClient();
    const ended = new AllStreamBatches(ending.client, { onEvents: async () => undefined }, async () => 0);
    ending.source().end();
    await expect(ended.closed).rejects.toThrow('closed the $all subscription');
  });
});
