import type { Command } from 'commander';
import { PartialFailureError } from '../errors';
import { JsonClient } from '../http-client';
import { resolveTarget } from '../local-platform';
import { importCdnow } from '../cdnow/importer';
import { importOnlineRetail, type ImportSummary } from '../online-retail/importer';
import { formatCount, Progress, summaryRow } from '../progress';
import { positiveInt } from './events';

const MAX_PRINTED_REJECTIONS = 100;

export function registerImportCommands(program: Command): void {
  const importCommand = program.command('import').description('load data sets into Rapport as events');

  importCommand
    .command('online-retail')
    .description(
      'import the UCI "Online Retail" CSV (plain or .gz): invoices become OrderPlaced / OrderReturned, first-seen ' +
        'customers CustomerRegistered; guest checkouts and stock adjustments are counted and skipped. Event ids are ' +
        'derived from invoice and customer numbers, so running it again stores nothing new.',
    )
    .argument('<file>', 'online-retail.csv or online-retail.csv.gz')
    .option('--url <url>', 'Rapport URL (default: the running `rapport up`, else http://127.0.0.1:3000)')
    .option('--key <key>', 'API key (default: RAPPORT_API_KEY, else the emitter key in ./.rapport/dev-keys.json)')
    .option('--limit <n>', 'import only the first N invoices', positiveInt)
    .option('--batch-size <n>', 'events per request', positiveInt, 500)
    .option('--dry-run', 'map and validate every event without sending anything')
    .action(async (file: string, options: { url?: string; key?: string; limit?: number; batchSize: number; dryRun?: boolean }) => {
      const target = options.dryRun ? undefined : await resolveTarget(options, 'emitter');
      const client = target ? new JsonClient(target.url, target.key, { maxSockets: 2 }) : undefined;
      let progress: Progress | undefined;
      let printed = 0;
      console.log(`Reading ${file}${options.limit ? ` (first ${formatCount(options.limit)} invoices)` : ''}${target ? ` into ${target.url}` : ' (dry run)'} …`);
      try {
        const summary = await importOnlineRetail({
          file,
          limit: options.limit,
          batchSize: options.batchSize,
          client,
          onPlanned: (rows) => (progress = new Progress('import', rows, 'rows')),
          onProgress: (rows, totals) => progress?.update(rows, totals),
          onRejected: (where, reason) => {
            if (++printed <= MAX_PRINTED_REJECTIONS) console.error(`${where}: ${reason}`);
          },
        });
        progress?.stop();
        console.log(summaryText(summary, !client));
        if (summary.rejected > 0) throw new PartialFailureError(`${formatCount(summary.rejected)} invoices or events were rejected (see above)`);
      } finally {
        client?.close();
      }
    });

  importCommand
    .command('cdnow')
    .description(
      'import the CDNOW sample of the BG/NBD paper (cdnow-sample-transactions.txt): each purchase record becomes one OrderPlaced ' +
        '(USD cents, 00:00 UTC of its date), each customer a CustomerRegistered before their first purchase. Ids are derived, so running it again stores nothing new.',
    )
    .argument('<file>', 'cdnow-sample-transactions.txt')
    .option('--url <url>', 'Rapport URL (default: the running `rapport up`, else http://127.0.0.1:3000)')
    .option('--key <key>', 'API key (default: RAPPORT_API_KEY, else the emitter key in ./.rapport/dev-keys.json)')
    .option('--batch-size <n>', 'events per request', positiveInt, 500)
    .option('--dry-run', 'map and validate every event without sending anything')
    .action(async (file: string, options: { url?: string; key?: string; batchSize: number; dryRun?: boolean }) => {
      const target = options.dryRun ? undefined : await resolveTarget(options, 'emitter');
      const client = target ? new JsonClient(target.url, target.key, { maxSockets: 2 }) : undefined;
      let printed = 0;
      try {
        const s = await importCdnow({
          file,
          batchSize: options.batchSize,
          client,
          onRejected: (where, reason) => {
            if (++printed <= MAX_PRINTED_REJECTIONS) console.error(`${where}: ${reason}`);
          },
        });
        console.log(
          [
            client ? 'CDNOW import' : 'CDNOW dry run (nothing sent)',
            summaryRow('purchase records', s.records),
            summaryRow('customers registered', s.customers),
            summaryRow('events', s.events),
            summaryRow('stored', client ? s.stored : '-'),
            summaryRow('duplicates', client ? s.duplicates : '-'),
            summaryRow('rejected', s.rejected),
            summaryRow('elapsed', `${(s.elapsedMs / 1000).toFixed(1)} s`),
          ].join('\n'),
        );
        if (s.rejected > 0) throw new PartialFailureError(`${formatCount(s.rejected)} records or events were rejected (see above)`);
      } finally {
        client?.close();
      }
    });
}

function summaryText(s: ImportSummary, dryRun: boolean): string {
  const seconds = s.elapsedMs / 1000;
  const customerInvoices = s.orders + s.returns;
  const row = summaryRow;
  return [
    '',
    dryRun ? 'Online Retail dry run (nothing sent)' : 'Online Retail import',
    row('rows read', s.rows),
    row('invoices', s.invoices, s.splitInvoices.length ? `(${s.splitInvoices.length} with non-contiguous rows: ${s.splitInvoices.slice(0, 5).join(', ')})` : ''),
    row('customer invoices sent', customerInvoices, `(${formatCount(s.orders)} OrderPlaced + ${formatCount(s.returns)} OrderReturned)`),
    row('returns', s.returns),
    row('customers registered', s.customersRegistered, '(CustomerRegistered, before their first invoice)'),
    row('guest invoices skipped', s.guestInvoices, `(no CustomerID; ${formatCount(s.guestReturns)} of them returns)`),
    row('stock adjustments skipped', s.stockAdjustments, '(negative quantity, no customer)'),
    row('events', s.events),
    row('stored', dryRun ? '-' : s.stored),
    row('duplicates', dryRun ? '-' : s.duplicates, dryRun ? '' : '(already stored by an earlier run)'),
    row('rejected', s.rejected),
    row('elapsed', `${seconds.toFixed(1)} s`),
    row('events/s', Math.round(s.events / Math.max(seconds, 0.001)), '(including reading and parsing the file twice)'),
  ].join('\n');
}
