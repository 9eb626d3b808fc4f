import {
  ConditionalCheckFailedException,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { RecordQuery, ReplayAnswer } from '../../application/ports/idempotency-store.js';
import { isLive, transition, type IdempotencyRecord } from '../../domain/idempotency.js';
import { OUTBOX_PENDING_ATTRIBUTE, hasPendingEvents, markDelivered, type OutboxEntry } from '../../domain/outbox.js';
import { IDEMPOTENCY_TABLE_KEY, toItem, toRecord } from './idempotency-item.js';

/*
 * The idempotency table's writes and reads outside the order's own life: the outbox relay's delivery
 * marks, an operator's replay, and the look-ups behind replay filters and the outbox sweep.
 */

/** A delivery mark lost to a concurrent write is recomputed from the item that write left, at most this often. */
const DELIVERY_MARK_TRIES = 3;

/**
 * Sets `deliveredAt` on the delivered entries by list index, on condition that each index still holds
 * the entry it held in the image read (entries are only ever appended), and removes `outboxPending`
 * when nothing is left undelivered, on condition that no entry was appended since. A failed condition
 * answers with the current item, from which the write is computed again.
 */
export async function markRecordDelivered(
  client: DynamoDBClient, tableName: string, seen: IdempotencyRecord, eventIds: readonly string[], now: number,
): Promise<IdempotencyRecord | undefined> {
  let current: IdempotencyRecord | undefined = seen;
  for (let attempt = 0; attempt < DELIVERY_MARK_TRIES && current !== undefined; attempt++) {
    const outbox = current.outbox ?? [];
    const delivered = new Set(eventIds);
    const indices = outbox.flatMap((entry, index) => (entry.deliveredAt === undefined && delivered.has(entry.eventId) ? [index] : []));
    if (indices.length === 0) return current;
    const after = markDelivered(outbox, eventIds, now);
    const sets = indices.map((index) => `outbox[${index}].deliveredAt = :now`);
    const conditions = ['attribute_exists(pk)', 'size(outbox) = :size', ...indices.map((index) => `outbox[${index}].eventId = :e${index}`)];
    const values: Record<string, AttributeValue> = {
      ':now': { N: String(now) },
      ':size': { N: String(outbox.length) },
      ...Object.fromEntries(indices.map((index) => [`:e${index}`, { S: outbox[index]?.eventId ?? '' }])),
    };
    try {
      const response = await client.send(new UpdateItemCommand({
        TableName: tableName,
        Key: { [IDEMPOTENCY_TABLE_KEY]: { S: seen.key } },
        UpdateExpression: `SET ${sets.join(', ')}${hasPendingEvents(after) ? '' : ` REMOVE ${OUTBOX_PENDING_ATTRIBUTE}`}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return toRecord(response.Attributes ?? {});
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      current = error.Item === undefined ? undefined : toRecord(error.Item);
    }
  }
  return current;
}

/** The REPLAY transition, written whole on condition that the record is the PARKED one the caller read. */
export async function replayRecord(
  client: DynamoDBClient, tableName: string, seen: IdempotencyRecord, events: readonly OutboxEntry[], now: number,
): Promise<ReplayAnswer> {
  if (!isLive(seen, now) || seen.status !== 'PARKED') return { replayed: false, record: isLive(seen, now) ? seen : undefined };
  const next = transition(seen, { type: 'REPLAY', events }, now);
  try {
    await client.send(new PutItemCommand({
      TableName: tableName,
      Item: toItem(next),
      ConditionExpression: 'attribute_exists(pk) AND #status = :parked AND updatedAt = :seenAt',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':parked': { S: 'PARKED' }, ':seenAt': { N: String(seen.updatedAt) } },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    }));
    return { replayed: true, record: next };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const current = error.Item === undefined ? undefined : toRecord(error.Item);
    return { replayed: false, record: isLive(current, now) ? current : undefined };
  }
}

/** A paginated Scan with the query as its filter: for operators and the outbox sweep, never on an order's path. */
export async function findRecords(client: DynamoDBClient, tableName: string, query: RecordQuery, now: number): Promise<IdempotencyRecord[]> {
  const filters = ['expiresAt > :nowSeconds'];
  const values: Record<string, unknown> = { ':nowSeconds': Math.floor(now / 1000) };
  const names: Record<string, string> = {};
  if (query.parked !== undefined) {
    filters.push('#status = :parked');
    names['#status'] = 'status';
    values[':parked'] = 'PARKED';
    if (query.parked.category !== undefined) {
      filters.push('lastError.category = :category');
      values[':category'] = query.parked.category;
    }
  }
  if (query.pendingEventsBefore !== undefined) {
    filters.push(`${OUTBOX_PENDING_ATTRIBUTE} = :pending`, 'updatedAt < :before');
    values[':pending'] = true;
    values[':before'] = query.pendingEventsBefore;
  }
  const found: IdempotencyRecord[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(new ScanCommand({
      TableName: tableName,
      FilterExpression: filters.join(' AND '),
      ExpressionAttributeValues: marshall(values),
      ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      ConsistentRead: true,
    }));
    found.push(...(page.Items ?? []).map(toRecord));
    start = page.LastEvaluatedKey;
  } while (start !== undefined && found.length < query.limit);
  return found.slice(0, query.limit);
}
