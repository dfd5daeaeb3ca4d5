import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { MasterKeyError, type Keyring } from '@rapport/personal-data';
import { IllegalStateError } from '@rapport/platform';
import { Roles } from '@rapport/platform/nest';
import { PRIVACY, type Privacy } from '../privacy';

/**
 * Master key rotation, the operator's side: configure the new key next to the old ones and
 * make it current (RAPPORT_MASTER_KEYS, RAPPORT_MASTER_KEY_ID), restart, then re-wrap. Only the
 * data keys are re-wrapped; no event is re-encrypted. Once nothing awaits a re-wrap the old
 * master key can be removed from the configuration.
 */
@ApiTags('privacy')
@Controller('v1/admin/master-keys')
export class MasterKeysController {
  constructor(@Inject(PRIVACY) private readonly privacy: Privacy) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'The current master key, the configured ones, how many data keys each wraps and how many await a re-wrap' })
  async status() {
    return this.keyring().status();
  }

  @Post('rewrap')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Re-wrap every data key still under an older master key with the current one (history is not re-encrypted); safe to repeat' })
  async rewrap() {
    const keyring = this.keyring();
    const rewrapped = await keyring.rotate().catch((error: unknown) => {
      // An old master key dropped from the configuration too early: nothing was lost, it only has to come back.
      if (error instanceof MasterKeyError) throw new IllegalStateError(`${error.message}; configure it again next to the current one, then re-wrap.`);
      throw error;
    });
    return { rewrapped, ...(await keyring.status()) };
  }

  private keyring(): Keyring {
    if (!this.privacy.keyring) throw new IllegalStateError('This deployment does not encrypt personal data (no master key configured), so there are no data keys to re-wrap.');
    return this.privacy.keyring;
  }
}
