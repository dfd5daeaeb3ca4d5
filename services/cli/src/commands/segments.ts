import type { Command } from 'commander';
import { UsageError } from '../errors';
import { callAdmin, withTarget, type TargetOptions } from '../admin-calls';

// Talks to the segments API of the running platform; the types mirror its answers without loading the service.

interface Recomputed {
  asOf: string;
  customers: number;
  scored: number;
  excluded: number;
  model: { bgNbd: { parameters?: Record<string, number>; logLikelihood?: number; boundary?: unknown[]; unavailable?: string }; predictions: string };
  changes: { previousAsOf: string | null; changed: number; appended: number; retentionCallbacks: number; retentionWithoutPhone: number };
}

interface Table {
  snapshotAsOf: string;
  currency: string;
  segments: { segment: string; customers: number; share: number; netSpend: number; averageOrderValue: number | null; averageRecencyDays: number | null }[];
}

const instant = (value: string, flag: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) throw new UsageError(`${flag} must be an ISO-8601 instant such as 2011-12-10T00:00:00Z, got "${value}"`);
  return value;
};

const n = (value: number) => value.toLocaleString('en-GB');
const money = (minor: number | null) => (minor === null ? '-' : (minor / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }));

export function registerSegmentsCommands(program: Command): void {
  const segments = program.command('segments').description('value segments: full recomputes and the segment table (segments API of the running platform)');

  withTarget(segments.command('recompute'))
    .description('full recompute as of an instant, stored as a snapshot; appends the segment changes against the snapshot before it')
    .option('--as-of <instant>', 'ISO-8601 instant (default now)')
    .action(async (options: TargetOptions & { asOf?: string }) => {
      const body = JSON.stringify(options.asOf ? { asOf: instant(options.asOf, '--as-of') } : {});
      const result = await callAdmin<Recomputed>(options, 'POST', '/v1/segments/recomputes', body);
      const table = await callAdmin<Table>(options, 'GET', `/v1/segments?asOf=${encodeURIComponent(result.asOf)}`);
      if (options.json) return console.log(JSON.stringify({ recompute: result, table }, null, 2));
      const { changes, model } = result;
      console.log(`Snapshot as of ${result.asOf}: ${n(result.customers)} customers, ${n(result.scored)} scored, ${n(result.excluded)} excluded by consent`);
      console.log(tableText(table));
      const fit = model.bgNbd;
      console.log(fit.parameters ? `BG/NBD ${Object.entries(fit.parameters).map(([k, v]) => `${k} ${v.toPrecision(4)}`).join(', ')}, LL ${fit.logLikelihood?.toFixed(1)}` : `BG/NBD: ${fit.unavailable}`);
      console.log(`Predictions: ${model.predictions}`);
      console.log(
        changes.previousAsOf
          ? `Against ${changes.previousAsOf}: ${n(changes.changed)} customers changed segment (${n(changes.appended)} new events), ${n(changes.retentionCallbacks)} retention callbacks requested`
          : 'First snapshot: the baseline, no segment changes',
      );
    });

  withTarget(segments.command('table'))
    .description('the segment table of the snapshot at or before an instant')
    .option('--as-of <instant>', 'ISO-8601 instant (default the latest snapshot)')
    .action(async (options: TargetOptions & { asOf?: string }) => {
      const table = await callAdmin<Table>(options, 'GET', `/v1/segments${options.asOf ? `?asOf=${encodeURIComponent(instant(options.asOf, '--as-of'))}` : ''}`);
      if (options.json) return console.log(JSON.stringify(table, null, 2));
      console.log(`Snapshot as of ${table.snapshotAsOf}`);
      console.log(tableText(table));
    });
}

function tableText(table: Table): string {
  const head = `  ${'segment'.padEnd(20)} ${'customers'.padStart(9)} ${'share'.padStart(7)} ${`net spend ${table.currency}`.padStart(16)} ${'avg order'.padStart(10)} ${'avg recency d'.padStart(13)}`;
  const rows = table.segments.map(
    (line) =>
      `  ${line.segment.padEnd(20)} ${n(line.customers).padStart(9)} ${`${(line.share * 100).toFixed(1)} %`.padStart(7)} ${money(line.netSpend).padStart(16)} ${money(line.averageOrderValue).padStart(10)} ${(line.averageRecencyDays === null ? '-' : line.averageRecencyDays.toFixed(1)).padStart(13)}`,
  );
  return [head, ...rows].join('\n');
}
