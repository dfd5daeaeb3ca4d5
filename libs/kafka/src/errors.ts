/** A Kafka message that cannot be turned back into a stored event: wrong headers, not JSON, ids that disagree. */
export class PoisonMessageError extends Error {
  readonly code = 'POISON_MESSAGE';

  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonMessageError';
  }
}

/** A projection's PostgreSQL checkpoint lies before the oldest message Kafka still keeps: only a rebuild from the store can recover. */
export class CheckpointExpiredError extends Error {
  readonly code = 'CHECKPOINT_EXPIRED';

  constructor(
    readonly partition: string,
    readonly checkpoint: number,
    readonly earliestAvailable: number,
  ) {
    super(
      `${partition}: checkpoint ${checkpoint} is older than the oldest retained offset ${earliestAvailable}; ` +
        'rebuild the projection from the event store',
    );
    this.name = 'CheckpointExpiredError';
  }
}
