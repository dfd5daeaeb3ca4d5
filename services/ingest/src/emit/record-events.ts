import { Inject } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { streamIdFor, toStoredEvent, type RapportEvent } from '@rapport/contracts';
import type { AppendedEvent, EventStore, EventToAppend, StreamAppend } from '@rapport/event-store';
import { metrics } from '@rapport/platform';
import { AppendCoalescer } from './append-coalescer';
import { contentHash } from './content-hash';

export const INGEST_EVENT_STORE = Symbol('IngestEventStore');

/** Where an event went; `reused` when its id was stored before with other content (nothing written). */
export interface EventOutcome extends Omit<AppendedEvent, 'differentContent'> {
  readonly reused: boolean;
}

/** Store already-validated events; the result lists each event's place in request order. */
export class RecordEvents extends Command<EventOutcome[]> {
  constructor(
    readonly events: readonly RapportEvent[],
    /** When Rapport accepted them, ISO-8601; the same for a whole batch. */
    readonly receivedAt: string,
  ) {
    super();
  }
}

const eventsRecorded = () =>
  metrics.counter({
    name: 'ingest_events_total',
    help: 'Events accepted by ingest, by type and whether they were new, re-sent duplicates or ids reused for other content',
    labelNames: ['type', 'outcome'] as const,
  });

/**
 * One round trip per request however many events and streams (fewer under load: see
 * AppendCoalescer): group by stream, append with expected revision 'any' (emitters do not
 * know revisions), map back.
 */
@CommandHandler(RecordEvents)
export class RecordEventsHandler implements ICommandHandler<RecordEvents, EventOutcome[]> {
  private readonly counter = eventsRecorded();
  private readonly appender: AppendCoalescer;

  constructor(@Inject(INGEST_EVENT_STORE) store: EventStore) {
    this.appender = new AppendCoalescer(store);
  }

  async execute({ events, receivedAt }: RecordEvents): Promise<EventOutcome[]> {
    const streams = new Map<string, { indices: number[]; events: EventToAppend[] }>();
    events.forEach((event, index) => {
      const streamId = streamIdFor(event);
      let stream = streams.get(streamId);
      if (!stream) streams.set(streamId, (stream = { indices: [], events: [] }));
      stream.indices.push(index);
      stream.events.push({ ...toStoredEvent(event, receivedAt), contentHash: contentHash(event) });
    });

    const groups = [...streams.entries()];
    const appends: StreamAppend[] = groups.map(([streamId, stream]) => ({ streamId, expectedRevision: 'any', events: stream.events }));
    const results = await this.appender.appendMany(appends);

    const inRequestOrder = new Array<EventOutcome>(events.length);
    results.forEach((result, group) => {
      const { indices } = groups[group]![1];
      result.events.forEach(({ differentContent, ...appended }, position) => {
        inRequestOrder[indices[position]!] = { ...appended, reused: differentContent === true };
      });
    });
    this.count(events, inRequestOrder);
    return inRequestOrder;
  }

  private count(events: readonly RapportEvent[], appended: readonly EventOutcome[]): void {
    const tally = new Map<string, { type: string; outcome: 'new' | 'duplicate' | 'reused'; count: number }>();
    events.forEach((event, index) => {
      const { reused, duplicate } = appended[index]!;
      const outcome = reused ? 'reused' : duplicate ? 'duplicate' : 'new';
      const key = `${event.type}/${outcome}`;
      const entry = tally.get(key);
      if (entry) entry.count++;
      else tally.set(key, { type: event.type, outcome, count: 1 });
    });
    for (const { type, outcome, count } of tally.values()) this.counter.inc({ type, outcome }, count);
  }
}
