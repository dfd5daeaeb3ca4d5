import { Inject, Injectable, Module, type DynamicModule, type OnModuleDestroy } from '@nestjs/common';
import { CustomerSegmentController } from './api/customer-segment.controller';
import { SegmentsController } from './api/segments.controller';
import { SEGMENTS, startSegments, type Segments, type SegmentsOptions } from './segments';

@Injectable()
class SegmentsLifecycle implements OnModuleDestroy {
  constructor(@Inject(SEGMENTS) private readonly segments: Segments) {}

  onModuleDestroy(): Promise<void> {
    return this.segments.stop();
  }
}

/** The segments APIs (/v1/segments…, /v1/customers/:id/segment). Needs PlatformModule in the app. */
@Module({})
export class SegmentsModule {
  static register(options: SegmentsOptions): DynamicModule {
    return {
      module: SegmentsModule,
      controllers: [SegmentsController, CustomerSegmentController],
      providers: [{ provide: SEGMENTS, useFactory: () => startSegments(options) }, SegmentsLifecycle],
      exports: [SEGMENTS],
    };
  }
}
