import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Relay, RelayStatus } from '@rapport/kafka';
import { Roles } from '@rapport/platform/nest';

export const RELAY = Symbol('Relay');

@ApiTags('admin')
@Roles('admin')
@Controller('v1/admin/relay')
export class RelayStatusController {
  constructor(@Inject(RELAY) private readonly relay: Relay) {}

  @Get()
  @ApiOkResponse({ description: 'Relay state, the last acknowledged store position, counts and the last error' })
  status(): RelayStatus {
    return this.relay.status();
  }
}
