import type { IdempotencyRecord } from '../../domain/idempotency.js';

/**
 * One image of a record that carries undelivered events, as the outbox relay receives it: a stream
 * record (the table's stream, read by the pipe) or a record the sweep found.
 */
export interface OutboxChange {
  /** What a failure is reported by: the stream record's eventID (the pipe retries from it). */
  readonly id: string;
  readonly record: IdempotencyRecord;
  /** Epoch ms at which the change was written (the stream's ApproximateCreationDateTime), for the lag. */
  readonly changedAt?: number;
}
