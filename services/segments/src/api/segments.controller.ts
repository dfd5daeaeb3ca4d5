import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '@rapport/platform/nest';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { InvalidInputError } from '../errors';
import { SEGMENTS, type Segments } from '../segments';
import { validateModel } from '../snapshot/validation';
import { asOfQuery, customersQuery, decodeCursor, movementsQuery, parseInput, parseSegment, recomputeBody, validationQuery } from './http-input';
import { findSnapshot, movements, segmentCsv, segmentPage, segmentTable } from './queries';

const MAX_VALIDATION_SPAN_MS = 20 * 365 * 86_400_000;

@ApiTags('segments')
@Controller('v1/segments')
export class SegmentsController {
  constructor(@Inject(SEGMENTS) private readonly segments: Segments) {}

  @Get()
  @Roles('analyst')
  @ApiOperation({ summary: 'Per segment: customers, share, net spend, average order value, average recency (from the snapshot at or before asOf)' })
  @ApiQuery({ name: 'asOf', required: false, description: 'ISO-8601; default the latest snapshot' })
  async table(@Query() query: unknown) {
    const { asOf } = parseInput(asOfQuery, query);
    const { snapshot, basis } = await findSnapshot(this.segments.db, asOf);
    return { ...basis, customers: snapshot.customers, scored: snapshot.scored, excluded: snapshot.excluded, currency: this.segments.settings.baseCurrency, segments: await segmentTable(this.segments.db, snapshot) };
  }

  @Post('recomputes')
  @HttpCode(201)
  @ApiOperation({ summary: 'Admin only: full recompute as of an instant (default now), stored as a snapshot; appends the segment changes' })
  async recompute(@Body() body: unknown) {
    const { asOf } = parseInput(recomputeBody, body ?? {});
    const at = asOf ? new Date(asOf).toISOString() : this.segments.now().toISOString();
    // Facts emitted before the call are in the snapshot, unless the feed never goes quiet for a
    // minute: then the snapshot covers what was projected by now, and says so.
    const caughtUp = await this.segments.projections.settled(60_000).then(
      () => true,
      () => false,
    );
    return { ...(await this.segments.recompute(at)), projectionCaughtUp: caughtUp };
  }

  @Get('movements')
  @Roles('analyst')
  @ApiOperation({ summary: 'Customers moving from each segment to each other between the snapshots answering from and to' })
  async movements(@Query() query: unknown) {
    const parsed = parseInput(movementsQuery, query);
    if (Date.parse(parsed.from) > Date.parse(parsed.to)) throw new InvalidInputError('from', 'must not be after to');
    const from = await findSnapshot(this.segments.db, parsed.from);
    const to = await findSnapshot(this.segments.db, parsed.to);
    return { from: from.basis, to: to.basis, ...(await movements(this.segments.db, from.snapshot.asOf, to.snapshot.asOf)) };
  }

  @Get('model')
  @Roles('analyst')
  @ApiOperation({ summary: 'Fitted BG/NBD and Gamma-Gamma parameters, log-likelihood, customers used, boundary flags' })
  async model(@Query() query: unknown) {
    const { asOf } = parseInput(asOfQuery, query);
    const { snapshot, basis } = await findSnapshot(this.segments.db, asOf);
    return { ...basis, ...snapshot.model };
  }

  @Get('model/validation')
  @Roles('analyst')
  @ApiOperation({ summary: 'Fit on the calibration period; mean predicted vs actual holdout purchases per calibration repeat purchases 0…7+' })
  async validation(@Query() query: unknown) {
    const { calibrationEnd, holdoutEnd } = parseInput(validationQuery, query);
    const span = Date.parse(holdoutEnd) - Date.parse(calibrationEnd);
    if (span <= 0) throw new InvalidInputError('holdoutEnd', 'must be after calibrationEnd');
    if (span > MAX_VALIDATION_SPAN_MS) throw new InvalidInputError('holdoutEnd', 'must be at most 20 years after calibrationEnd');
    return validateModel(this.segments.db, this.segments.settings, calibrationEnd, holdoutEnd);
  }

  @Get(':segment/customers')
  @Roles('analyst')
  @ApiProduces('application/json', 'text/csv')
  @ApiOperation({ summary: 'Customer ids of a segment, keyset-paged; with Accept: text/csv the whole segment is streamed as CSV (with purpose and channel: only customers consenting now)' })
  @ApiQuery({ name: 'purpose', required: false, enum: ['marketing', 'profiling', 'analytics', 'service'] })
  @ApiQuery({ name: 'channel', required: false, enum: ['email', 'sms', 'phone', 'post', 'any'] })
  async customers(@Param('segment') segmentName: string, @Query() query: unknown, @Headers('accept') accept: string | undefined, @Res() reply: FastifyReply) {
    const segment = parseSegment(segmentName);
    const parsed = parseInput(customersQuery, query);
    const cursor = parsed.cursor === undefined ? undefined : decodeCursor(parsed.cursor, parsed.sort);
    const { snapshot, basis } = await findSnapshot(this.segments.db, parsed.asOf);
    if (accept?.includes('text/csv')) {
      const { purpose, channel } = parsed;
      const check = this.segments.consentCheck;
      if (purpose !== undefined && !check) throw new InvalidInputError('purpose', 'consent checks are not available in this deployment');
      const at = this.segments.now().toISOString();
      const allowed =
        purpose === undefined || channel === undefined || !check
          ? undefined
          : async (ids: readonly string[]) => {
              const verdicts = await check(this.segments.db, purpose, channel, ids, at);
              return new Set(ids.filter((id) => verdicts.get(id) === true));
            };
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${segment}-${snapshot.asOf.slice(0, 10)}.csv"`)
        .send(Readable.from(segmentCsv(this.segments.db, snapshot.asOf, segment, allowed)));
    }
    const page = await segmentPage(this.segments.db, snapshot.asOf, segment, parsed.sort, cursor, parsed.limit);
    return reply.send({ ...basis, segment, sort: parsed.sort, ...page });
  }
}
