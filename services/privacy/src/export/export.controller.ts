import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { parseInput } from '@rapport/platform';
import { Roles } from '@rapport/platform/nest';
import type { FastifyReply } from 'fastify';
import { Readable } from 'node:stream';
import { CustomerErasedError, CustomerNotFoundError } from '../errors';
import { customerIdParam } from '../http-input';
import { PRIVACY, type Privacy } from '../privacy';
import { subjectExport } from './subject-export';

@ApiTags('privacy')
@Controller('v1/customers/:customerId/export')
export class ExportController {
  constructor(@Inject(PRIVACY) private readonly privacy: Privacy) {}

  @Get()
  @Roles('admin')
  @ApiProduces('application/json')
  @ApiOperation({ summary: 'Subject access export: every event about the customer (decrypted) and every read-model row naming it, streamed as one JSON document' })
  async export(@Param('customerId') rawId: string, @Res() reply: FastifyReply) {
    const customerId = parseInput(customerIdParam, rawId, 'customerId');
    const erasedAt = await this.privacy.erasedAt(customerId);
    if (erasedAt) throw new CustomerErasedError(customerId, erasedAt, 'no personal data is held to export');
    const [first] = await this.privacy.store.readStream(`customer-${customerId}`, { maxCount: 1 });
    if (!first) throw new CustomerNotFoundError(customerId);
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="customer-${customerId}-export.json"`)
      .send(Readable.from(subjectExport(this.privacy.store, this.privacy.db, customerId, this.privacy.now().toISOString())));
  }
}
