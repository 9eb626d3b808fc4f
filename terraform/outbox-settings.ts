/* The outbox's stage settings, apart from stage-config.ts so that the outbox stays one change. */

/**
 * The transactional outbox's delivery (terraform/constructs/outbox-relay.ts): an EventBridge Pipe reads the
 * idempotency table's stream and invokes the `outbox-relay` function with batches of the records
 * that carry undelivered events. A batch the relay keeps failing is bisected, retried a bounded number of
 * times and for a bounded age, then noted in the outbox DLQ. The redrive's one schedule (`redriveSchedule`)
 * also runs the outbox redelivery, which finds every record still owing events through the table's sparse
 * `outbox-pending` index, on every tick.
 */
export interface OutboxSettings {
  /**
   * Stream records per relay invocation (1–100). The whole batch is one synchronous invocation, whose payload
   * Lambda caps at 6 MB; a record carries the item's new image (an idempotency record with its outbox: a few KB).
   */
  readonly batchSize: number;
  /** How long the pipe gathers a batch (0–300 s). */
  readonly batchingWindowSeconds: number;
  /** Retries of a failing batch (halved each time) before its records go to the outbox DLQ: bounded, 0–10000. */
  readonly maximumRetryAttempts: number;
  /** Records older than this go to the outbox DLQ instead of blocking their shard: 60 s up to the stream's 24 h retention. */
  readonly maximumRecordAgeSeconds: number;
  /**
   * The redelivery's sweep takes records whose oldest undelivered event was committed longer ago than this
   * (0–86400 s), so that it does not race the pipe over fresh commits (OUTBOX_SWEEP_AGE_SECONDS). At most the
   * record age the pipe gives up at, so that what the pipe gave up on is old enough for the next tick.
   */
  readonly sweepAgeSeconds: number;
}

/** DynamoDB Streams keep a record this long. */
export const STREAM_RETENTION_SECONDS = 24 * 3600;

/** Every reason the outbox settings cannot be deployed (empty when they can). */
export function outboxProblems(outbox: OutboxSettings): string[] {
  const problems: string[] = [];
  const whole = (value: number, min: number, max: number): boolean => Number.isInteger(value) && value >= min && value <= max;
  if (!whole(outbox.batchSize, 1, 100)) problems.push('outbox.batchSize must be 1-100');
  if (!whole(outbox.batchingWindowSeconds, 0, 300)) problems.push('outbox.batchingWindowSeconds must be 0-300');
  // Pipes also accept -1 (retry forever, keep forever); a record that can never be relayed would then block its shard.
  if (!whole(outbox.maximumRetryAttempts, 0, 10_000)) problems.push('outbox.maximumRetryAttempts must be 0-10000 (bounded)');
  if (!whole(outbox.maximumRecordAgeSeconds, 60, STREAM_RETENTION_SECONDS))
    problems.push("outbox.maximumRecordAgeSeconds must be 60-86400 (bounded by the stream's 24 h retention)");
  if (!whole(outbox.sweepAgeSeconds, 0, STREAM_RETENTION_SECONDS)) problems.push('outbox.sweepAgeSeconds must be 0-86400');
  else if (whole(outbox.maximumRecordAgeSeconds, 60, STREAM_RETENTION_SECONDS) && outbox.sweepAgeSeconds > outbox.maximumRecordAgeSeconds)
    problems.push(
      'outbox.sweepAgeSeconds must be at most outbox.maximumRecordAgeSeconds (records the pipe gave up on must be old enough to sweep)',
    );
  return problems;
}
