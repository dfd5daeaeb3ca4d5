import { Body, Controller, HttpCode, Inject, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBody, ApiOkResponse, ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, Roles } from '@rapport/platform/nest';
import type { FastifyReply } from 'fastify';
import { parseBatchRequest, parseEmitRequest } from './emit-request';
import { BatchResultDto, EmittedEventDto, batchBodySchema, eventBodySchema } from './openapi';
import { RecordEvents } from './record-events';
import { emitted, rejectReusedId, rejectReusedIds } from './reused-ids';

export const INGEST_CLOCK = Symbol('IngestClock');

@ApiTags('events')
@Roles('emitter')
@ApiProblems(400, 409, 413, 415)
@Controller('v1/events')
export class EmitController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(INGEST_CLOCK) private readonly now: () => Date,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Emit one event',
    description:
      'Idempotent by event id: re-sending an id already stored answers 200 with the original revision and position. ' +
      'The same id with other content (type, subject, occurredAt or data) is a 409 idempotency-key-reused naming the stored event.',
  })
  @ApiBody({ schema: eventBodySchema })
  @ApiCreatedResponse({ type: EmittedEventDto, description: 'Stored' })
  @ApiOkResponse({ type: EmittedEventDto, description: 'Already stored earlier (duplicate: true); nothing written' })
  async emit(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<EmittedEventDto> {
    const event = parseEmitRequest(body);
    const [outcome] = await this.commands.execute(new RecordEvents([event], this.now().toISOString()));
    rejectReusedId(outcome!);
    reply.status(outcome!.duplicate ? 200 : 201);
    return emitted(outcome!);
  }

  @Post('batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Emit up to 1,000 events at once',
    description:
      'All or nothing: if any event is invalid, none is stored and every problem is listed with its index. ' +
      'Events already stored are reported as duplicates with their original revision and position. ' +
      'An id stored before with other content makes the answer a 409 idempotency-key-reused that names it by index ' +
      'and lists every event\'s result, since the other events are stored.',
  })
  @ApiBody({ schema: batchBodySchema })
  @ApiOkResponse({ type: BatchResultDto, description: 'Stored; one result per event, in request order' })
  async emitBatch(@Body() body: unknown): Promise<BatchResultDto> {
    const events = parseBatchRequest(body);
    const outcomes = await this.commands.execute(new RecordEvents(events, this.now().toISOString()));
    rejectReusedIds(outcomes);
    return { events: outcomes.map(emitted) };
  }
}
