import type { EventStore } from '@rapport/event-store';
import { projectorSource as busProjectorSource, type BusConfig, type LogSink } from '@rapport/kafka';
import type { EventSource, SourceEvent } from '@rapport/projections';

/** Base of the timeline's consumer groups: each projection generation joins `<base>.<projection>.g<generation>`. */
export const TIMELINE_CONSUMER_GROUP = 'rapport.projector.timeline';

export interface ProjectorSourceOptions {
  readonly bus: BusConfig;
  readonly store: EventStore;
  /** Events per transaction when following the store. */
  readonly batchSize?: number;
  readonly log?: LogSink;
  /** Opens the personal fields Kafka carries sealed (the store given is expected to open them itself). */
  readonly open?: (events: readonly SourceEvent[]) => Promise<readonly SourceEvent[]>;
}

/**
 * What feeds the standalone projector's live projections: the Kafka topic when the bus is
 * on, else the store's subscription. Rebuilds replay from the store either way
 * (`startTimeline`). kafkajs is loaded only on the Kafka branch.
 */
export function projectorSource(options: ProjectorSourceOptions): EventSource {
  return busProjectorSource({ ...options, groupId: TIMELINE_CONSUMER_GROUP });
}
