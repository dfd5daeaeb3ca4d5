import { PartialFailureError } from './errors';
import type { JsonClient } from './http-client';

export const BATCH_PATH = '/v1/events/batch';

export interface Rejection {
  /** Index of the event in the batch it was sent in. */
  readonly index: number;
  readonly reason: string;
}

export interface BatchOutcome {
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: readonly Rejection[];
}

/**
 * Sends one batch. The API stores all of a batch or nothing; when it refuses some events,
 * those are reported by index and the rest is sent again, so one bad event never costs
 * its whole batch.
 */
export async function sendBatch(client: JsonClient, events: readonly unknown[]): Promise<BatchOutcome> {
  const rejected: Rejection[] = [];
  // Indices into `events` of what is still to be sent.
  let pending = events.map((_, index) => index);
  while (pending.length > 0) {
    const response = await client.postJson(BATCH_PATH, JSON.stringify({ events: pending.map((index) => events[index]) }));
    if (response.status === 200) {
      const duplicates = countDuplicates(response.body, pending.length);
      return { stored: pending.length - duplicates, duplicates, rejected };
    }
    const refused = response.status === 400 ? refusedItems(response.body, pending.length) : [];
    if (refused.length === 0) throw new PartialFailureError(`${BATCH_PATH} answered ${response.status}: ${problemText(response.body)}`);
    const refusedIndices = new Set(refused.map((r) => r.index));
    rejected.push(...refused.map((r) => ({ index: pending[r.index], reason: r.reason })));
    pending = pending.filter((_, position) => !refusedIndices.has(position));
  }
  return { stored: 0, duplicates: 0, rejected };
}

/** A 200 answer lists every event in request order with `duplicate: true` for ids stored earlier. */
function countDuplicates(body: unknown, size: number): number {
  const results = (body as { events?: { duplicate?: boolean }[] } | undefined)?.events;
  if (!Array.isArray(results) || results.length !== size) {
    throw new PartialFailureError(`${BATCH_PATH} answered 200 without one result per event`);
  }
  return results.filter((result) => result.duplicate === true).length;
}

/** A 400 problem lists field errors with the index of the event they belong to. */
function refusedItems(body: unknown, size: number): Rejection[] {
  const errors = (body as { errors?: { index?: number; path?: string; message?: string }[] } | undefined)?.errors;
  const byIndex = new Map<number, string[]>();
  for (const error of Array.isArray(errors) ? errors : []) {
    if (typeof error.index !== 'number' || error.index < 0 || error.index >= size) continue;
    const reasons = byIndex.get(error.index) ?? [];
    reasons.push(`${error.path ? `${error.path}: ` : ''}${error.message ?? 'invalid'}`);
    byIndex.set(error.index, reasons);
  }
  return [...byIndex].map(([index, reasons]) => ({ index, reason: reasons.join('; ') }));
}

export function problemText(body: unknown): string {
  if (typeof body === 'object' && body !== null) {
    const problem = body as { title?: string; detail?: string };
    return [problem.title, problem.detail].filter(Boolean).join(': ') || JSON.stringify(body).slice(0, 300);
  }
  return String(body).slice(0, 300);
}

/**
 * Keeps one batch in flight while the caller prepares the next, preserving order: batch
 * n+1 is sent only once batch n was answered, so a customer's events keep their order.
 */
export class BatchPipeline<Tag> {
  private inFlight: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly client: JsonClient,
    private readonly onOutcome: (outcome: BatchOutcome, tags: readonly Tag[]) => void,
  ) {}

  /** Waits for the previous batch, then starts this one without waiting for it. */
  async submit(events: readonly unknown[], tags: readonly Tag[]): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure;
    this.inFlight = sendBatch(this.client, events).then(
      (outcome) => this.onOutcome(outcome, tags),
      (error: unknown) => {
        this.failure = error;
      },
    );
  }

  async drain(): Promise<void> {
    await this.inFlight;
    if (this.failure) throw this.failure;
  }
}
