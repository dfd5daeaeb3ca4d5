import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseDecidedEvent, streamIdFor, toStoredEvent } from '@rapport/contracts';
import { actorOf, IllegalStateError, parseInput, type Principal } from '@rapport/platform';
import { CurrentPrincipal, Roles } from '@rapport/platform/nest';
import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { CustomerErasedError, CustomerNotFoundError } from '../errors';
import { customerIdParam } from '../http-input';
import { PRIVACY, type Privacy } from '../privacy';

const ERASURE_NAMESPACE = '6a0f2c1e-8d7b-4f3a-9c5e-2b1d0e4f7a93';
const erasureBody = z.strictObject({ reason: z.string().trim().min(1, 'required').max(500).regex(/^[^\u0000-\u001f\u007f]*$/, 'must not contain control characters') });

@ApiTags('privacy')
@Controller('v1/customers/:customerId/erasure')
export class ErasureController {
  constructor(@Inject(PRIVACY) private readonly privacy: Privacy) {}

  @Post()
  @HttpCode(201)
  @Roles('admin')
  @ApiOperation({ summary: 'Erase a customer: appends CustomerErased and destroys the data key, so personal fields read as erased everywhere; loyalty, segments and metrics keep their figures' })
  async erase(@Param('customerId') rawId: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const customerId = parseInput(customerIdParam, rawId, 'customerId');
    const { reason } = parseInput(erasureBody, body ?? {});
    const keyring = this.privacy.keyring;
    if (!keyring) throw new IllegalStateError('Erasure needs encryption at rest, which this deployment does not run (no master key configured).');
    const erasedAt = await keyring.destroyedAt(customerId);
    if (erasedAt) throw new CustomerErasedError(customerId, erasedAt, 'it cannot be erased again');
    const streamId = `customer-${customerId}`;
    const [first] = await this.privacy.store.readStream(streamId, { maxCount: 1 });
    if (!first) throw new CustomerNotFoundError(customerId);
    const now = this.privacy.now().toISOString();
    // One id per customer: a retry after a crash between the append and the key's destruction appends nothing twice.
    const parsed = parseDecidedEvent({ id: uuidv5(customerId, ERASURE_NAMESPACE), type: 'CustomerErased', customerId, occurredAt: now, source: 'rapport-privacy', actor: actorOf(principal), data: { reason } });
    if (!parsed.ok) throw new Error(`CustomerErased does not fit its contract: ${JSON.stringify(parsed.errors)}`);
    const [appended] = (await this.privacy.store.append(streamIdFor(parsed.event), [toStoredEvent(parsed.event, now)])).events;
    const destroyedAt = await keyring.destroy(customerId);
    return { customerId, erasedAt: destroyedAt, eventId: parsed.event.id, position: appended?.position ?? null };
  }
}
