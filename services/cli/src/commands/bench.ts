import type { Command } from 'commander';
import { positiveInt } from './events';

export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('benchmarks: print figures beside their targets');

  bench
    .command('ingest')
    .description(
      'start a temporary PostgreSQL (fsync on) and the ingest API, then measure: batch throughput, single-event ' +
        'latency, a raw multi-row INSERT and an Emmett-PG baseline on the same events, and peak RSS; then the same ' +
        'load against the whole platform as npm start runs it, with projection lag and catch-up',
    )
    .option('--events <n>', 'events sent through the batch API (and inserted raw)', positiveInt, 200_000)
    .option('--batch-size <n>', 'events per batch and rows per raw INSERT', positiveInt, 1000)
    .option('--clients <n>', 'concurrent batch clients and raw connections', positiveInt, 4)
    .option('--single-requests <n>', 'single-event requests', positiveInt, 20_000)
    .option('--single-clients <n>', 'concurrent single-event clients', positiveInt, 32)
    .option('--emmett-events <n>', 'events appended through Emmett-PG for its baseline', positiveInt, 20_000)
    .option('--no-platform', 'skip the run against the whole platform as npm start runs it (projectors on)')
    .action(async (options: { events: number; batchSize: number; clients: number; singleRequests: number; singleClients: number; emmettEvents: number; platform: boolean }) => {
      const { runIngestBench } = await import('../bench/ingest-bench');
      console.log(await runIngestBench(options, (line) => console.log(line)));
    });
}
