import type { AppendResult, EventStore, StreamAppend } from '@rapport/event-store';

interface Job {
  readonly appends: readonly StreamAppend[];
  readonly events: number;
  resolve(results: AppendResult[]): void;
  reject(error: unknown): void;
}

export interface AppendCoalescerOptions {
  /** Store calls under way at once; further requests wait and are sent together. */
  readonly maxInFlight?: number;
  /** Events one combined call may carry; a larger request is sent on its own. */
  readonly maxEvents?: number;
}

/**
 * Group commit for emitters: requests that arrive while the store is busy are sent as one
 * `appendMany`, so 32 concurrent single-event emits cost a few transactions instead of 32.
 * An idle store gets each request at once, so nothing waits for company. Requests sharing a
 * stream or an event id never ride together, and the queue is FIFO, so per-stream order holds.
 */
export class AppendCoalescer {
  private readonly queue: Job[] = [];
  private inFlight = 0;
  private readonly maxInFlight: number;
  private readonly maxEvents: number;

  constructor(
    private readonly store: EventStore,
    options: AppendCoalescerOptions = {},
  ) {
    this.maxInFlight = options.maxInFlight ?? 4;
    this.maxEvents = options.maxEvents ?? 1000;
  }

  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return new Promise((resolve, reject) => {
      const events = appends.reduce((sum, append) => sum + append.events.length, 0);
      this.queue.push({ appends, events, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const group = this.takeGroup();
      this.inFlight++;
      void this.send(group).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  /** The longest prefix of the queue that fits in one call without two jobs touching the same stream or id. */
  private takeGroup(): Job[] {
    const group: Job[] = [this.queue.shift()!];
    const streams = new Set<string>();
    const ids = new Set<string>();
    const claim = (job: Job) => {
      for (const append of job.appends) {
        streams.add(append.streamId);
        for (const event of append.events) ids.add(event.id.toLowerCase());
      }
    };
    claim(group[0]);
    let events = group[0].events;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (events + next.events > this.maxEvents) break;
      const overlaps = next.appends.some(
        (append) => streams.has(append.streamId) || append.events.some((event) => ids.has(event.id.toLowerCase())),
      );
      if (overlaps) break;
      claim(next);
      events += next.events;
      group.push(this.queue.shift()!);
    }
    return group;
  }

  private async send(group: Job[]): Promise<void> {
    try {
      const results = await this.store.appendMany(group.flatMap((job) => job.appends));
      let offset = 0;
      for (const job of group) {
        job.resolve(results.slice(offset, offset + job.appends.length));
        offset += job.appends.length;
      }
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
      // One request's failure must not become its neighbours': retry each on its own.
      await Promise.all(group.map((job) => this.store.appendMany(job.appends).then(job.resolve, job.reject)));
    }
  }
}
