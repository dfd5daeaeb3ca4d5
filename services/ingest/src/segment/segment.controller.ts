import { Body, Controller, Headers, HttpCode, Inject, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBasicAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ApiKeyStore } from '@rapport/platform';
import { API_KEY_STORE, ApiProblems, Public } from '@rapport/platform/nest';
import { INGEST_CLOCK } from '../emit/emit.controller';
import { RecordEvents } from '../emit/record-events';
import { authenticateWriteKey, segmentRequestEvents } from './segment-request';
import type { SegmentType } from './segment-message';

export const SEGMENT_BLOCKED_IDS = Symbol('SegmentBlockedIds');

const messageSchema = { type: 'object', additionalProperties: true, description: "A Segment message (Segment's Tracking API spec)" };
const DESCRIPTION =
  'Segment Tracking API compatible. Authenticate as Segment SDKs do: the emitter key as Basic-auth user with an empty password, or writeKey in the body. ' +
  'The messageId is the idempotency key, forever: a re-sent message is a no-op. Bad messages get a 400 problem naming each field.';

/**
 * Segment's Tracking API on Rapport (`/v1/track`, `/v1/batch`, …), so emitters that already use
 * Segment SDKs only change their host. Auth is the write key, checked here rather than by the
 * global guard because SDKs send it as Basic auth.
 */
@ApiTags('segment')
@ApiBasicAuth()
@ApiProblems(400, 401, 403, 413, 415)
@Public()
@Controller('v1')
export class SegmentController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(INGEST_CLOCK) private readonly now: () => Date,
    @Inject(API_KEY_STORE) private readonly apiKeys: ApiKeyStore,
    @Inject(SEGMENT_BLOCKED_IDS) private readonly blockedIds: readonly string[],
  ) {}

  private async record(type: SegmentType | 'batch', body: unknown, authorization: string | string[] | undefined): Promise<{ success: true }> {
    const principal = await authenticateWriteKey(this.apiKeys, authorization, body);
    const receivedAt = this.now();
    const events = segmentRequestEvents(body, type, principal.name.slice(0, 100), { receivedAt, blockedIds: this.blockedIds });
    // A messageId re-sent with other content (a retry carries a new sentAt, hence another corrected
    // timestamp) keeps what was stored first, as Segment's de-duplication does: nothing is written.
    if (events.length > 0) await this.commands.execute(new RecordEvents(events, receivedAt.toISOString()));
    return { success: true };
  }

  @Post('track')
  @HttpCode(200)
  @ApiOperation({ summary: 'Segment track', description: DESCRIPTION })
  @ApiBody({ schema: messageSchema })
  @ApiOkResponse({ schema: { example: { success: true } } })
  track(@Body() body: unknown, @Headers('authorization') authorization?: string) {
    return this.record('track', body, authorization);
  }

  @Post('identify')
  @HttpCode(200)
  @ApiOperation({ summary: 'Segment identify', description: DESCRIPTION })
  @ApiBody({ schema: messageSchema })
  @ApiOkResponse({ schema: { example: { success: true } } })
  identify(@Body() body: unknown, @Headers('authorization') authorization?: string) {
    return this.record('identify', body, authorization);
  }

  @Post('page')
  @HttpCode(200)
  @ApiOperation({ summary: 'Segment page', description: DESCRIPTION })
  @ApiBody({ schema: messageSchema })
  @ApiOkResponse({ schema: { example: { success: true } } })
  page(@Body() body: unknown, @Headers('authorization') authorization?: string) {
    return this.record('page', body, authorization);
  }

  @Post('screen')
  @HttpCode(200)
  @ApiOperation({ summary: 'Segment screen', description: DESCRIPTION })
  @ApiBody({ schema: messageSchema })
  @ApiOkResponse({ schema: { example: { success: true } } })
  screen(@Body() body: unknown, @Headers('authorization') authorization?: string) {
    return this.record('screen', body, authorization);
  }

  @Post('group')
  @HttpCode(200)
  @ApiOperation({ summary: 'Segment group', description: DESCRIPTION })
  @ApiBody({ schema: messageSchema })
  @ApiOkResponse({ schema: { example: { success: true } } })
  group(@Body() body: unknown, @Headers('authorization') authorization?: string) {
    return this.record('group', body, authorization);
  }

  @Post('alias')
  @HttpCode(200)
  @ApiOperation({ summary: 'Segment alias', description: DESCRIPTION })
  @ApiBody({ schema: messageSchema })
  @ApiOkResponse({ schema: { example: { success: true } } })
  alias(@Body() body: unknown, @Headers('authorization') authorization?: string) {
    return this.record('alias', body, authorization);
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({ summary: 'Segment batch', description: `${DESCRIPTION} All or nothing: one bad message rejects the request.` })
  @ApiBody({ schema: { type: 'object', properties: { batch: { type: 'array', items: messageSchema }, sentAt: { type: 'string', format: 'date-time' } }, required: ['batch'] } })
  @ApiOkResponse({ schema: { example: { success: true } } })
  batch(@Body() body: unknown, @Headers('authorization') authorization?: string) {
    return this.record('batch', body, authorization);
  }

  @Post('import')
  @HttpCode(200)
  @ApiOperation({ summary: 'Segment import (same as batch)', description: DESCRIPTION })
  @ApiBody({ schema: { type: 'object', properties: { batch: { type: 'array', items: messageSchema } }, required: ['batch'] } })
  @ApiOkResponse({ schema: { example: { success: true } } })
  import(@Body() body: unknown, @Headers('authorization') authorization?: string) {
    return this.record('batch', body, authorization);
  }
}
