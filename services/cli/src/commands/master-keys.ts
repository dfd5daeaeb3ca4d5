import type { Command } from 'commander';
import { callAdmin, withTarget, type TargetOptions } from '../admin-calls';

// Talks to /v1/admin/master-keys of the running platform; the type mirrors its answer.

interface MasterKeyStatus {
  currentMasterKeyId: string;
  configuredMasterKeyIds: string[];
  wrappedBy: Record<string, number>;
  awaitingRewrap: number;
  destroyed: number;
  rewrapped?: number;
}

function printStatus(status: MasterKeyStatus): void {
  console.log(`Current master key: ${status.currentMasterKeyId} (configured: ${status.configuredMasterKeyIds.join(', ')})`);
  for (const [id, keys] of Object.entries(status.wrappedBy)) console.log(`  ${id.padEnd(24)} wraps ${keys} data key${keys === 1 ? '' : 's'}`);
  console.log(`  ${'destroyed (erased)'.padEnd(24)} ${status.destroyed}`);
  console.log(
    status.awaitingRewrap === 0
      ? 'Nothing awaits a re-wrap: master keys other than the current one can be removed from RAPPORT_MASTER_KEYS.'
      : `${status.awaitingRewrap} data key(s) are still under an older master key: run \`rapport master-keys rewrap\`.`,
  );
}

export function registerMasterKeyCommands(program: Command): void {
  const keys = program
    .command('master-keys')
    .description('master key rotation: add the new key to RAPPORT_MASTER_KEYS, make it RAPPORT_MASTER_KEY_ID, restart, then rewrap (admin key)');

  withTarget(keys.command('status'))
    .description('which master key wraps how many customer data keys')
    .action(async (options: TargetOptions) => {
      const status = await callAdmin<MasterKeyStatus>(options, 'GET', '/v1/admin/master-keys');
      if (options.json) return console.log(JSON.stringify(status, null, 2));
      printStatus(status);
    });

  withTarget(keys.command('rewrap'))
    .description('re-wrap every data key under an older master key with the current one (events are not re-encrypted)')
    .action(async (options: TargetOptions) => {
      const status = await callAdmin<MasterKeyStatus>(options, 'POST', '/v1/admin/master-keys/rewrap');
      if (options.json) return console.log(JSON.stringify(status, null, 2));
      console.log(`Re-wrapped ${status.rewrapped ?? 0} data key(s).`);
      printStatus(status);
    });
}
