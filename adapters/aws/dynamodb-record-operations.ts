import {
  ConditionalCheckFailedException,
  BatchGetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { recordMatches, type RecordQuery, type ReplayAnswer } from '../../application/ports/idempotency-store.js';
import { TransientError } from '../../domain/errors.js';
import { isLive, transition, type IdempotencyRecord } from '../../domain/idempotency.js';
import {
  OUTBOX_PENDING_ATTRIBUTE,
  OUTBOX_PENDING_INDEX,
  OUTBOX_PENDING_SHARD_ATTRIBUTE,
  OUTBOX_PENDING_SHARDS,
  OUTBOX_PENDING_SINCE_ATTRIBUTE,
  markDelivered,
  outboxPendingSince,
  type OutboxEntry,
} from '../../domain/outbox.js';
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
  client: DynamoDBClient,
  tableName: string,
  seen: IdempotencyRecord,
  eventIds: readonly string[],
  now: number,
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
    const since = outboxPendingSince(after);
    // Still owing: the index keeps it at its oldest undelivered entry; owing nothing: it leaves the index.
    const stillOwing =
      since === undefined
        ? ` REMOVE ${OUTBOX_PENDING_ATTRIBUTE}, ${OUTBOX_PENDING_SINCE_ATTRIBUTE}, ${OUTBOX_PENDING_SHARD_ATTRIBUTE}`
        : `, ${OUTBOX_PENDING_SINCE_ATTRIBUTE} = :since`;
    const values: Record<string, AttributeValue> = {
      ...(since === undefined ? {} : { ':since': { N: String(since) } }),
      ':now': { N: String(now) },
      ':size': { N: String(outbox.length) },
      ...Object.fromEntries(indices.map((index) => [`:e${index}`, { S: outbox[index]?.eventId ?? '' }])),
    };
    try {
      const response = await client.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: { [IDEMPOTENCY_TABLE_KEY]: { S: seen.key } },
          UpdateExpression: `SET ${sets.join(', ')}${stillOwing}`,
          ConditionExpression: conditions.join(' AND '),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
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
  client: DynamoDBClient,
  tableName: string,
  seen: IdempotencyRecord,
  events: readonly OutboxEntry[],
  now: number,
): Promise<ReplayAnswer> {
  if (!isLive(seen, now) || seen.status !== 'PARKED') return { replayed: false, record: isLive(seen, now) ? seen : undefined };
  const next = transition(seen, { type: 'REPLAY', events }, now);
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: toItem(next),
        ConditionExpression: 'attribute_exists(pk) AND #status = :parked AND updatedAt = :seenAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':parked': { S: 'PARKED' }, ':seenAt': { N: String(seen.updatedAt) } },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { replayed: true, record: next };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const current = error.Item === undefined ? undefined : toRecord(error.Item);
    return { replayed: false, record: isLive(current, now) ? current : undefined };
  }
}

/**
 * Records owing events are read from the sparse index (`findOwing`); any other query is a paginated Scan
 * with the query as its filter: for operators, never on an order's path.
 */
export async function findRecords(
  client: DynamoDBClient,
  tableName: string,
  query: RecordQuery,
  now: number,
): Promise<IdempotencyRecord[]> {
  if (query.pendingEventsBefore !== undefined && query.scan !== true)
    return findOwing(client, tableName, query, query.pendingEventsBefore, now);
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
    // Owing since before: computed from each item's outbox (items written before the index have no pending-since).
    filters.push(`${OUTBOX_PENDING_ATTRIBUTE} = :pending`);
    values[':pending'] = true;
  }
  const found: IdempotencyRecord[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: filters.join(' AND '),
        ExpressionAttributeValues: marshall(values),
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        ConsistentRead: true,
      }),
    );
    found.push(...(page.Items ?? []).map(toRecord).filter((record) => recordMatches(record, query)));
    start = page.LastEvaluatedKey;
  } while (start !== undefined && found.length < query.limit);
  return found.slice(0, query.limit);
}

/** Index entries read per Query page; their items are then read consistently, in one BatchGetItem (≤ 100 keys). */
const OWING_PAGE = 100;
/** BatchGetItem calls per page at most: what DynamoDB leaves unprocessed is asked for again. */
const BATCH_GET_TRIES = 5;

/** The items of `keys` (absent ones left out), read consistently; throws when DynamoDB still leaves some unprocessed after BATCH_GET_TRIES. */
async function readConsistently(client: DynamoDBClient, tableName: string, keys: readonly string[]): Promise<IdempotencyRecord[]> {
  const records: IdempotencyRecord[] = [];
  let pending: Record<string, AttributeValue>[] = keys.map((key) => ({ [IDEMPOTENCY_TABLE_KEY]: { S: key } }));
  for (let attempt = 0; attempt < BATCH_GET_TRIES && pending.length > 0; attempt++) {
    const response = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
    records.push(...(response.Responses?.[tableName] ?? []).map(toRecord));
    pending = response.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  // Leaving them out would make a short answer look like the end of the index.
  if (pending.length > 0)
    throw new TransientError(`outbox look-up: ${pending.length} items left unprocessed by BatchGetItem`, {
      code: 'OUTBOX.LOOKUP_UNPROCESSED',
    });
  return records;
}

/**
 * Each index partition in turn, oldest owing first, until `limit` records are confirmed. The index is
 * eventually consistent and holds keys only: each entry is confirmed by a consistent read of its item,
 * which drops records delivered (or expired) since. A partition is read past unconfirmed entries, so an
 * answer shorter than `limit` means every partition was read to its end: no other record owes events.
 */
async function findOwing(
  client: DynamoDBClient,
  tableName: string,
  query: RecordQuery,
  before: number,
  now: number,
): Promise<IdempotencyRecord[]> {
  const found: IdempotencyRecord[] = [];
  for (let shard = 0; shard < OUTBOX_PENDING_SHARDS && found.length < query.limit; shard++) {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: OUTBOX_PENDING_INDEX,
          KeyConditionExpression: '#shard = :shard AND #since < :before',
          ExpressionAttributeNames: { '#shard': OUTBOX_PENDING_SHARD_ATTRIBUTE, '#since': OUTBOX_PENDING_SINCE_ATTRIBUTE },
          ExpressionAttributeValues: { ':shard': { N: String(shard) }, ':before': { N: String(before) } },
          Limit: Math.min(OWING_PAGE, query.limit - found.length),
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      const keys = (page.Items ?? []).flatMap((item) =>
        item[IDEMPOTENCY_TABLE_KEY]?.S === undefined ? [] : [item[IDEMPOTENCY_TABLE_KEY].S],
      );
      for (const record of await readConsistently(client, tableName, keys)) {
        if (isLive(record, now) && recordMatches(record, query)) found.push(record);
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined && found.length < query.limit);
  }
  return found.slice(0, query.limit);
}
