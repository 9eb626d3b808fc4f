import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { OutboxChange } from '../../application/ports/outbox-change.js';
import { toRecord } from './idempotency-item.js';

/** The fields of a DynamoDB Streams record (as a pipe or Lambda delivers it) that the relay reads. */
export interface DynamoDbStreamRecord {
  readonly eventID?: string;
  readonly eventName?: string;
  readonly dynamodb?: {
    readonly Keys?: Record<string, AttributeValue>;
    readonly NewImage?: Record<string, AttributeValue>;
    readonly SequenceNumber?: string;
    /** Epoch seconds (may carry a fraction). */
    readonly ApproximateCreationDateTime?: number | Date;
  };
}

export interface ParsedStream {
  readonly changes: readonly OutboxChange[];
  /** Records with no new image that reads as an idempotency record, by id, with the reason. */
  readonly unreadable: readonly { readonly id: string; readonly reason: string }[];
}

/**
 * Reads the stream records a pipe hands the relay (a JSON array, even for one record). A REMOVE (TTL
 * deletion) has no new image and announces nothing; it is skipped, not reported.
 */
export function parseStreamRecords(event: unknown): ParsedStream {
  const records: unknown[] = Array.isArray(event) ? event : [event];
  const changes: OutboxChange[] = [];
  const unreadable: { id: string; reason: string }[] = [];
  records.forEach((raw, index) => {
    const record = (typeof raw === 'object' && raw !== null ? raw : {}) as DynamoDbStreamRecord;
    const id = record.eventID ?? record.dynamodb?.SequenceNumber ?? `record-${index}`;
    if (record.eventName === 'REMOVE') return;
    const image = record.dynamodb?.NewImage;
    if (image === undefined) {
      unreadable.push({ id, reason: 'no NewImage (the stream must be NEW_IMAGE or NEW_AND_OLD_IMAGES)' });
      return;
    }
    try {
      changes.push({ id, record: toRecord(image), ...changedAt(record.dynamodb?.ApproximateCreationDateTime) });
    } catch (error) {
      unreadable.push({ id, reason: error instanceof Error ? error.message : String(error) });
    }
  });
  return { changes, unreadable };
}

function changedAt(value: number | Date | undefined): { changedAt?: number } {
  if (value instanceof Date) return { changedAt: value.getTime() };
  return typeof value === 'number' && Number.isFinite(value) ? { changedAt: Math.round(value * 1000) } : {};
}
