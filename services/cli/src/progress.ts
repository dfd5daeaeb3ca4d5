import { SingleBar } from 'cli-progress';

export interface ProgressCounts {
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
}

const PLAIN_INTERVAL_MS = 2_000;

export const formatCount = (n: number) => n.toLocaleString('en-GB');

/** One line of a command's closing summary: label, right-aligned figure, optional note. */
export function summaryRow(label: string, value: number | string, note = ''): string {
  const figure = typeof value === 'number' ? formatCount(value) : value;
  return `  ${label.padEnd(28)}${figure.padStart(10)}${note ? `  ${note}` : ''}`;
}

/**
 * A progress bar on a terminal; plain periodic lines when stdout is not a TTY or CI is set,
 * so logs and CI output stay readable.
 */
export class Progress {
  private readonly bar?: SingleBar;
  private readonly startedAt = Date.now();
  private lastPlainAt = 0;
  private value = 0;
  private counts: ProgressCounts = { stored: 0, duplicates: 0, rejected: 0 };

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly unit: string,
    output: NodeJS.WriteStream = process.stdout,
  ) {
    if (output.isTTY && !process.env.CI) {
      this.bar = new SingleBar({
        stream: output,
        format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | stored {stored} · duplicates {duplicates} · rejected {rejected} | {duration_formatted}`,
        formatValue: (value, _options, type) => (type === 'value' || type === 'total' ? formatCount(value) : String(value)),
        hideCursor: true,
        barsize: 30,
        fps: 5,
      });
      this.bar.start(total, 0, this.counts);
    }
  }

  update(value: number, counts: ProgressCounts = this.counts): void {
    this.value = value;
    this.counts = counts;
    if (this.bar) {
      this.bar.update(value, counts);
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainAt >= PLAIN_INTERVAL_MS) {
      this.lastPlainAt = now;
      this.printPlain();
    }
  }

  stop(): void {
    if (this.bar) {
      this.bar.update(this.value, this.counts);
      this.bar.stop();
    } else {
      this.printPlain();
    }
  }

  private printPlain(): void {
    const percent = this.total > 0 ? ` (${Math.floor((this.value / this.total) * 100)}%)` : '';
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1);
    const { stored, duplicates, rejected } = this.counts;
    console.log(
      `${this.label}: ${formatCount(this.value)}/${formatCount(this.total)} ${this.unit}${percent} · stored ${formatCount(stored)}` +
        ` · duplicates ${formatCount(duplicates)} · rejected ${formatCount(rejected)} · ${seconds} s`,
    );
  }
}
