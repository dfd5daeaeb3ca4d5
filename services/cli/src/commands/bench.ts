import type { Command } from 'commander';
import { positiveInt } from './events';

export function registerBenchCommands(program: Command): void {
  const bench = program.command('bench').description('benchmarks: print figures beside their targets');

  bench
    .command('ingest')
    .description(
      'start a temporary PostgreSQL (fsync on) and the ingest API, then measure: batch throughput, single-event ' +
        'latency, a raw multi-row INSERT baseline into the same table shape, and peak RSS',
    )
    .option('--events <n>', 'events sent through the batch API (and inserted raw)', positiveInt, 200_000)
    .option('--batch-size <n>', 'events per batch and rows per raw INSERT', positiveInt, 1000)
    .option('--clients <n>', 'concurrent batch clients and raw connections', positiveInt, 4)
    .option('--single-requests <n>', 'single-event requests', positiveInt, 20_000)
    .option('--single-clients <n>', 'concurrent single-event clients', positiveInt, 32)
    .action(async (options: { events: number; batchSize: number; clients: number; singleRequests: number; singleClients: number }) => {
      const { runIngestBench } = await import('../bench/ingest-bench');
      console.log(await runIngestBench(options, (line) => console.log(line)));
    });
}
