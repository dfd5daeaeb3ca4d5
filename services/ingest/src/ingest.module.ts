import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import type { EventStore } from '@rapport/event-store';
import { EmitController, INGEST_CLOCK } from './emit/emit.controller';
import { INGEST_EVENT_STORE, RecordEventsHandler } from './emit/record-events';

export interface IngestModuleOptions {
  readonly store: EventStore;
  /** Source of `receivedAt`; the system clock unless a test pins it. */
  readonly now?: () => Date;
}

/**
 * The emit API (POST /v1/events, /v1/events/batch). Needs PlatformModule in the same app
 * for authentication; the store's lifetime belongs to whoever created it.
 */
@Module({})
export class IngestModule {
  static register(options: IngestModuleOptions): DynamicModule {
    return {
      module: IngestModule,
      imports: [CqrsModule.forRoot()],
      controllers: [EmitController],
      providers: [
        { provide: INGEST_EVENT_STORE, useValue: options.store },
        { provide: INGEST_CLOCK, useValue: options.now ?? (() => new Date()) },
        RecordEventsHandler,
      ],
    };
  }
}
