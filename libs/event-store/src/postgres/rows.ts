import type { RecordedEvent } from '../event-store';

export const EVENT_COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata, recorded_at, tx_id';

export interface EventRow {
  position: string;
  event_id: string;
  stream_id: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recorded_at: Date;
  tx_id: string;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    revision: Number(row.revision),
    position: Number(row.position),
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at.toISOString(),
    checkpoint: `${row.tx_id}:${row.position}`,
  };
}
