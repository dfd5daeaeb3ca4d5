import type { Command } from 'commander';
import { PartialFailureError, UsageError } from '../errors';
import { callAdmin, withTarget, type TargetOptions } from '../admin-calls';

// Talks to the admin API of the running platform (/v1/admin/projections), where the
// projectors live; the types below mirror @rapport/projections' responses without loading it.

interface Progress {
  generation: number;
  version: number;
  position: number;
  lagEvents: number | null;
  lagSeconds: number | null;
  eventsPerSecond: number;
  parked: number;
}

interface Status extends Progress {
  name: string;
  state: string;
  source: string;
  caughtUp: boolean;
  lastError: string | null;
  rebuild: (Progress & { phase: string; error: string | null }) | null;
  verifying: boolean;
}

interface Parked {
  projection: string;
  eventId: string;
  type: string;
  streamId: string;
  position: number;
  attempts: number;
  error: string;
  lastAttemptAt: string;
}

interface VerifyReport {
  equal: boolean;
  live: { generation: number; hash: string; tables: { table: string; rows: number; hash: string }[] };
  scratch: { hash: string; tables: { table: string; rows: number; hash: string }[] };
  differences: string[];
}



export function registerProjectionCommands(program: Command): void {
  const projections = program.command('projections').description('status, rebuilds, verification and parked events of every projection (admin API of the running platform)');

  withTarget(projections.command('status'))
    .description('position, lag (events and seconds), events/s, parked events and rebuild progress per projection')
    .action(async (options: TargetOptions) => {
      const { projections: statuses } = await callAdmin<{ projections: Status[] }>(options, 'GET', '/v1/admin/projections');
      print(options, statuses, () => statusTable(statuses));
    });

  withTarget(projections.command('rebuild'))
    .description('build a new generation from position 0 beside the live one; readers switch when it has caught up')
    .argument('<name>', 'projection name (see `rapport projections status`)')
    .option('--no-wait', 'return once the rebuild has started')
    .action(async (name: string, options: TargetOptions & { wait: boolean }) => {
      const started = await callAdmin<Status>(options, 'POST', `/v1/admin/projections/${encodeURIComponent(name)}/rebuild`);
      const target = started.rebuild?.generation;
      if (!options.json) console.log(`Rebuilding ${name}: generation ${target} (version ${started.rebuild?.version}) builds beside generation ${started.generation}.`);
      if (!options.wait) return print(options, started, () => undefined);
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const status = await callAdmin<Status>(options, 'GET', `/v1/admin/projections/${encodeURIComponent(name)}`);
        if (status.rebuild?.phase === 'failed') throw new PartialFailureError(`rebuild of ${name} failed: ${status.rebuild.error}`);
        if (status.rebuild === null && status.generation === target) {
          return print(options, status, () => `Done: ${name} now serves generation ${status.generation} (position ${status.position}).`);
        }
        if (!options.json && status.rebuild) {
          console.log(`  ${status.rebuild.phase}: position ${status.rebuild.position}, ${status.rebuild.lagEvents ?? '?'} events behind, ${status.rebuild.eventsPerSecond} events/s`);
        }
      }
    });

  withTarget(projections.command('verify'))
    .description('rebuild into a scratch schema and compare a content hash with the live tables (exit 1 when they differ)')
    .argument('<name>', 'projection name')
    .action(async (name: string, options: TargetOptions) => {
      const report = await callAdmin<VerifyReport>(options, 'POST', `/v1/admin/projections/${encodeURIComponent(name)}/verify`);
      print(options, report, () => verifyText(name, report));
      if (!report.equal) throw new PartialFailureError(`${name}: a rebuild gives different rows than the live projection (${report.differences.join(', ')})`);
    });

  withTarget(projections.command('parked'))
    .description('events a projection could not apply, with their errors')
    .argument('[name]', 'projection name; every projection when left out')
    .option('--limit <n>', 'most events per projection', '100')
    .action(async (name: string | undefined, options: TargetOptions & { limit: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got "${options.limit}"`);
      const names = name ? [name] : (await callAdmin<{ projections: Status[] }>(options, 'GET', '/v1/admin/projections')).projections.map((status) => status.name);
      const parked: Parked[] = [];
      for (const each of names) parked.push(...(await callAdmin<{ parked: Parked[] }>(options, 'GET', `/v1/admin/projections/${encodeURIComponent(each)}/parked?limit=${limit}`)).parked);
      print(options, parked, () => (parked.length === 0 ? 'No parked events.' : parkedTable(parked)));
    });

  withTarget(projections.command('retry'))
    .description('apply parked events again; those that now succeed leave the parked list')
    .argument('<name>', 'projection name')
    .argument('[eventId]', 'one parked event; or pass --all')
    .option('--all', 'retry every parked event of the projection')
    .action(async (name: string, eventId: string | undefined, options: TargetOptions & { all?: boolean }) => {
      if (Boolean(eventId) === Boolean(options.all)) throw new UsageError('give either an event id or --all');
      const path = `/v1/admin/projections/${encodeURIComponent(name)}/parked/${options.all ? '' : `${encodeURIComponent(eventId as string)}/`}retry`;
      const report = await callAdmin<{ retried: number; applied: string[]; stillFailing: { eventId: string; error: string }[] }>(options, 'POST', path);
      print(options, report, () =>
        [
          `Retried ${report.retried}: ${report.applied.length} applied, ${report.stillFailing.length} still failing.`,
          ...report.stillFailing.map((failure) => `  ${failure.eventId}: ${failure.error}`),
        ].join('\n'),
      );
      if (report.retried === 0 && !options.all) throw new PartialFailureError(`${name} has no parked event ${eventId}`);
      if (report.stillFailing.length > 0) process.exitCode = 1;
    });
}


function print(options: TargetOptions, value: unknown, text: () => string | undefined): void {
  if (options.json) console.log(JSON.stringify(value, null, 2));
  else {
    const shown = text();
    if (shown !== undefined) console.log(shown);
  }
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

const orDash = (value: number | null) => (value === null ? '-' : String(value));

function statusTable(statuses: readonly Status[]): string {
  if (statuses.length === 0) return 'No projections run in this platform.';
  const rows = [['NAME', 'GEN', 'VER', 'STATE', 'POSITION', 'LAG', 'LAG(s)', 'EVENTS/s', 'PARKED', 'REBUILD']];
  for (const status of statuses) {
    const rebuild = status.rebuild
      ? `g${status.rebuild.generation} v${status.rebuild.version} ${status.rebuild.phase} @${status.rebuild.position} (${orDash(status.rebuild.lagEvents)} behind)`
      : status.verifying
        ? 'verifying'
        : '-';
    rows.push([
      status.name,
      String(status.generation),
      String(status.version),
      status.lastError ? `${status.state} (error)` : status.state,
      String(status.position),
      orDash(status.lagEvents),
      status.lagSeconds === null ? '-' : status.lagSeconds.toFixed(1),
      String(status.eventsPerSecond),
      String(status.parked),
      rebuild,
    ]);
  }
  const errors = statuses.filter((status) => status.lastError).map((status) => `${status.name}: ${status.lastError}`);
  return [table(rows), ...errors].join('\n');
}

function verifyText(name: string, report: VerifyReport): string {
  const rows = [['TABLE', 'LIVE ROWS', 'LIVE HASH', 'REBUILT ROWS', 'REBUILT HASH', '']];
  report.live.tables.forEach((live, i) => {
    const scratch = report.scratch.tables[i];
    rows.push([live.table, String(live.rows), live.hash.slice(0, 16), String(scratch?.rows ?? '-'), (scratch?.hash ?? '-').slice(0, 16), live.hash === scratch?.hash ? 'equal' : 'DIFFERENT']);
  });
  const verdict = report.equal ? `${name}: equal hashes (${report.live.hash.slice(0, 16)})` : `${name}: hashes DIFFER`;
  return `${table(rows)}\n${verdict}`;
}

function parkedTable(parked: readonly Parked[]): string {
  const rows = [['PROJECTION', 'EVENT', 'TYPE', 'STREAM', 'POSITION', 'ATTEMPTS', 'ERROR']];
  for (const event of parked) {
    rows.push([event.projection, event.eventId, event.type, event.streamId, String(event.position), String(event.attempts), event.error.split('\n')[0].slice(0, 120)]);
  }
  return table(rows);
}
