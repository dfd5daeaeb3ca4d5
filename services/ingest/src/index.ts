export { IngestModule, type IngestModuleOptions } from './ingest.module';
export { createIngestApp, type IngestAppOptions } from './app';
export { ingestConfigSchema, loadIngestConfig, type IngestConfig } from './config';
export { RecordEvents, RecordEventsHandler } from './emit/record-events';
export { MAX_BATCH_EVENTS, parseBatchRequest, parseEmitRequest } from './emit/emit-request';
