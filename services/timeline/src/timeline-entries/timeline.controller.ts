import { Controller, Get, Inject, Param, Query, Res, Sse, type MessageEvent } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { EVENT_TYPES, fromRecordedEvent, isoDateTime } from '@rapport/contracts';
import { type Principal } from '@rapport/platform';
import { CurrentPrincipal, Roles } from '@rapport/platform/nest';
import type { FastifyReply } from 'fastify';
import { Observable } from 'rxjs';
import { z } from 'zod';
import { audienceOf } from '../audience';
import { EntryNotFoundError, InvalidQueryError, parseQuery } from '../errors';
import { survivorIn } from '@rapport/projections';
import { redirectIfMerged, type MergedAnswer } from '@rapport/projections/nest';
import { IDENTITIES_SCHEMA, mergeGroup } from '../identities/queries';
import { TIMELINE, type Timeline } from '../timeline';
import { readEntry, readTimeline, toEntry, type TimelineEntry, type TimelinePage } from './queries';

const commaList = z.string().transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean));

const timelineQuery = z.object({
  types: commaList.pipe(z.array(z.enum(EVENT_TYPES as [string, ...string[]])).min(1).max(50)).optional(),
  channels: commaList.pipe(z.array(z.string().max(50)).min(1).max(50)).optional(),
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  order: z.enum(['newest', 'oldest']).default('newest'),
});

const HEARTBEAT_MS = 15_000;

@ApiTags('timeline')
@Controller('v1/customers/:customerId/timeline')
export class TimelineController {
  constructor(@Inject(TIMELINE) private readonly timeline: Timeline) {}

  @Get()
  @Roles('support', 'analyst')
  @ApiOperation({ summary: "A customer's interactions across every channel, newest first, cursor-paginated" })
  @ApiQuery({ name: 'types', required: false, description: 'Comma-separated event types' })
  @ApiQuery({ name: 'channels', required: false, description: 'Comma-separated channels (web, app, store, email, phone, …)' })
  @ApiQuery({ name: 'from', required: false, description: 'occurredAt ≥ from (ISO-8601)' })
  @ApiQuery({ name: 'to', required: false, description: 'occurredAt < to (ISO-8601)' })
  @ApiQuery({ name: 'limit', required: false, description: '1–200, default 50' })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'order', required: false, enum: ['newest', 'oldest'] })
  async page(
    @Param('customerId') customerId: string,
    @Query() query: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TimelinePage | MergedAnswer> {
    const parsed = parseQuery(timelineQuery, query);
    const queryString = new URLSearchParams(query as Record<string, string>).toString();
    const merged = await redirectIfMerged(this.timeline.db, IDENTITIES_SCHEMA, customerId, reply, (survivor) => `/v1/customers/${survivor}/timeline${queryString ? `?${queryString}` : ''}`);
    if (merged) return merged;
    // A merged customer's entries keep its id: the survivor's page shows whose each one was.
    const members = await mergeGroup(this.timeline.db, customerId);
    return readTimeline(this.timeline.db, { customerId, members, ...parsed }, audienceOf(principal));
  }

  @Sse('stream')
  @Roles('support', 'analyst')
  @ApiOperation({
    summary:
      "Server-Sent Events: each new entry of the customer and of those merged into it, as it is projected (event `entry`); for a merged customer one `merged` event naming the survivor's stream, then the end",
  })
  @ApiProduces('text/event-stream')
  stream(@Param('customerId') customerId: string, @CurrentPrincipal() principal: Principal): Observable<MessageEvent> {
    const audience = audienceOf(principal);
    const { db, feed } = this.timeline;
    return new Observable<MessageEvent>((subscriber) => {
      const stops: (() => void)[] = [];
      let closed = false;
      const heartbeat = setInterval(() => subscriber.next({ type: 'heartbeat', data: {} }), HEARTBEAT_MS);
      const follow = async () => {
        const survivor = await survivorIn(db, IDENTITIES_SCHEMA, customerId);
        if (survivor !== undefined) {
          const location = `/v1/customers/${encodeURIComponent(survivor)}/timeline/stream`;
          subscriber.next({ type: 'merged', data: { customerId, mergedInto: survivor, location } });
          return subscriber.complete();
        }
        // Who is merged in is read once, when the stream opens: a later merge shows on the next connection.
        const members = await mergeGroup(db, customerId);
        for (const member of members) {
          const stop = await feed.subscribe(
            member,
            (row) => {
              const entry: TimelineEntry = toEntry(row, audience);
              subscriber.next({ type: 'entry', id: entry.eventId, data: entry });
            },
            () => subscriber.complete(),
          );
          if (closed) return stop();
          stops.push(stop);
        }
        // The first message opens the response; later ones keep proxies from timing the stream out.
        subscriber.next({ type: 'ready', data: { customerId, members } });
      };
      follow().catch((error: unknown) => subscriber.error(error));
      return () => {
        closed = true;
        clearInterval(heartbeat);
        for (const stop of stops) stop();
      };
    });
  }

  @Get(':eventId')
  @Roles('support')
  @ApiOperation({ summary: 'One entry with the raw event behind it (support and admin only)' })
  async entry(@Param('customerId') customerId: string, @Param('eventId') eventId: string): Promise<{ entry: TimelineEntry; event: unknown }> {
    if (!z.uuid().safeParse(eventId).success) throw new InvalidQueryError('eventId', 'must be a UUID');
    const row = await readEntry(this.timeline.db, customerId, eventId.toLowerCase());
    if (!row) throw new EntryNotFoundError(customerId, eventId);
    const [recorded] = await this.timeline.store.readStream(row.stream_id, { fromRevision: Number(row.revision), maxCount: 1 });
    if (!recorded || recorded.id !== row.event_id) throw new EntryNotFoundError(customerId, eventId);
    return { entry: toEntry(row, 'staff'), event: fromRecordedEvent(recorded) };
  }
}
