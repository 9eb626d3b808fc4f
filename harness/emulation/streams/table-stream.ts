import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { OUTBOX_PENDING_ATTRIBUTE } from '../../../domain/outbox.js';

/**
 * A stream record as EventBridge Pipes hands it to a Lambda target (JSON: the creation time in epoch
 * seconds). The memory emulation writes this shape; the moto reader converts the SDK's to it.
 */
export interface StreamRecordJson {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventVersion: string;
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: Record<string, AttributeValue>;
    readonly NewImage?: Record<string, AttributeValue>;
    readonly SequenceNumber: string;
    readonly SizeBytes: number;
    readonly StreamViewType: 'NEW_IMAGE';
  };
}

/** A table's change stream, as the harness' outbox pipe reads it: in write order per key, at least once. */
export interface TableStream {
  /** Up to `max` records after the checkpoint, oldest first; reading does not consume them. */
  peek(max: number): Promise<readonly StreamRecordJson[]>;
  /** Consumes the first `count` records (the checkpoint moves past them). */
  advance(count: number): void;
  close(): Promise<void>;
}

/** The pipe's filter (domain/outbox.ts OUTBOX_STREAM_FILTER): a new image that carries undelivered events. */
export function passesOutboxFilter(record: StreamRecordJson): boolean {
  return record.dynamodb.NewImage?.[OUTBOX_PENDING_ATTRIBUTE]?.BOOL === true;
}

/** How far the pipe looks ahead for records that pass its filter. */
export const PIPE_LOOKAHEAD = 1_000;

/**
 * The next batch as a pipe forms it: records are filtered first, then batched, so a batch holds up to
 * `batchSize` records that pass. `span` is how many stream records (filtered out ones included) it covers.
 */
export function nextPipeBatch(
  records: readonly StreamRecordJson[],
  batchSize: number,
): { readonly span: readonly StreamRecordJson[]; readonly batch: readonly StreamRecordJson[] } {
  const batch: StreamRecordJson[] = [];
  let span = 0;
  for (const record of records) {
    if (batch.length === batchSize) break;
    span += 1;
    if (passesOutboxFilter(record)) batch.push(record);
  }
  return { span: records.slice(0, span), batch };
}
