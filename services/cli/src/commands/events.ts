import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { parseEvent } from '@rapport/contracts';
import { BatchPipeline, type BatchOutcome } from '../event-batches';
import { PartialFailureError } from '../errors';
import { JsonClient } from '../http-client';
import { resolveTarget } from '../local-platform';
import { formatCount, Progress, summaryRow } from '../progress';

/** Reasons printed one by one; beyond this only the count grows. */
const MAX_PRINTED_REJECTIONS = 100;

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a positive integer');
  return Number(value);
}

export function registerEventCommands(program: Command): void {
  const events = program.command('events').description('send events to a running Rapport');

  events
    .command('append')
    .description(
      'stream a JSON-lines file (one event per line) to POST /v1/events/batch. Bad lines are reported with their ' +
        'line number and skipped; the rest is sent; the exit code is 1 if any line was rejected.',
    )
    .requiredOption('--file <path>', 'JSON-lines file of events')
    .option('--url <url>', 'Rapport URL (default: the running `rapport up`, else http://127.0.0.1:3000)')
    .option('--key <key>', 'API key (default: RAPPORT_API_KEY, else the emitter key in ./.rapport/dev-keys.json)')
    .option('--batch-size <n>', 'events per request', positiveInt, 500)
    .action(async (options: { file: string; url?: string; key?: string; batchSize: number }) => {
      await appendEvents(options);
    });
}

interface Tally {
  lines: number;
  sent: number;
  stored: number;
  duplicates: number;
  rejected: number;
}

async function appendEvents(options: { file: string; url?: string; key?: string; batchSize: number }): Promise<void> {
  const target = await resolveTarget(options, 'emitter');
  const { size } = await stat(options.file);
  const client = new JsonClient(target.url, target.key, { maxSockets: 2 });
  const tally: Tally = { lines: 0, sent: 0, stored: 0, duplicates: 0, rejected: 0 };
  const progress = new Progress('events', size, 'bytes');
  const startedAt = Date.now();

  const reject = (line: number, reason: string) => {
    tally.rejected++;
    if (tally.rejected <= MAX_PRINTED_REJECTIONS) console.error(`line ${line}: ${reason}`);
    else if (tally.rejected === MAX_PRINTED_REJECTIONS + 1) console.error('… more rejected lines are counted but not printed');
  };
  const pipeline = new BatchPipeline<number>(client, (outcome: BatchOutcome, lineNumbers) => {
    tally.stored += outcome.stored;
    tally.duplicates += outcome.duplicates;
    for (const rejection of outcome.rejected) reject(lineNumbers[rejection.index], `rejected by the API: ${rejection.reason}`);
  });

  let batch: unknown[] = [];
  let lineNumbers: number[] = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    tally.sent += batch.length;
    await pipeline.submit(batch, lineNumbers);
    batch = [];
    lineNumbers = [];
  };

  try {
    const lines = createInterface({ input: createReadStream(options.file), crlfDelay: Infinity });
    for await (const text of lines) {
      const lineNumber = ++tally.lines;
      bytes += Buffer.byteLength(text) + 1;
      if (text.trim() === '') continue;
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch (error) {
        reject(lineNumber, `not JSON (${(error as Error).message})`);
        continue;
      }
      const parsed = parseEvent(input);
      if (!parsed.ok) {
        reject(lineNumber, parsed.errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join('; '));
        continue;
      }
      batch.push(input);
      lineNumbers.push(lineNumber);
      if (batch.length >= options.batchSize) {
        await flush();
        progress.update(Math.min(bytes, size), tally);
      }
    }
    await flush();
    await pipeline.drain();
  } finally {
    progress.update(Math.min(bytes, size), tally);
    progress.stop();
    client.close();
  }

  const seconds = (Date.now() - startedAt) / 1000;
  console.log(
    [
      '',
      `Appended ${options.file}`,
      summaryRow('lines read', tally.lines),
      summaryRow('events sent', tally.sent),
      summaryRow('stored', tally.stored),
      summaryRow('duplicates', tally.duplicates, '(ids stored before: nothing written)'),
      summaryRow('rejected', tally.rejected, tally.rejected ? '(lines listed above, on stderr)' : ''),
      summaryRow('elapsed', `${seconds.toFixed(1)} s`),
      summaryRow('events/s', Math.round(tally.sent / Math.max(seconds, 0.001))),
    ].join('\n'),
  );
  if (tally.rejected > 0) throw new PartialFailureError(`${formatCount(tally.rejected)} lines were rejected (see above)`);
}
