import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '@rapport/event-store';
import { EmitController, INGEST_CLOCK } from './emit/emit.controller';
import { INGEST_EVENT_STORE, RecordEventsHandler } from './emit/record-events';
import { PLACEHOLDER_IDS } from '@rapport/contracts';
import { SEGMENT_BLOCKED_IDS, SegmentController } from './segment/segment.controller';

export interface IngestModuleOptions {
  readonly store: EventStore;
  /** Source of `receivedAt`; the system clock unless a test pins it. */
  readonly now?: () => Date;
  /** Ids the Segment API refuses as user or anonymous ids (placeholders); default PLACEHOLDER_IDS. */
  readonly blockedIds?: readonly string[];
}

/**
 * The emit API (POST /v1/events, /v1/events/batch) and the Segment-compatible one (/v1/track, /v1/batch, …). Needs PlatformModule in the same app
 * for authentication; the store's lifetime belongs to whoever created it.
 */
@Module({})
export class IngestModule {
  static register(options: IngestModuleOptions): DynamicModule {
    return {
      module: IngestModule,
      imports: [CqrsModule.forRoot()],
      controllers: [EmitController, SegmentController],
      providers: [
        { provide: INGEST_EVENT_STORE, useValue: options.store },
        { provide: INGEST_CLOCK, useValue: options.now ?? (() => new Date()) },
        { provide: SEGMENT_BLOCKED_IDS, useValue: (options.blockedIds ?? PLACEHOLDER_IDS).map((id) => id.toLowerCase()) },
        RecordEventsHandler,
      ],
    };
  }
}
