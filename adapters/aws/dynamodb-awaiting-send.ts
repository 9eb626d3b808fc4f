import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { isLive, type IdempotencyRecord } from '../../domain/idempotency.js';
import {
  AWAITING_SEND_ATTRIBUTE,
  AWAITING_SEND_INDEX,
  AWAITING_SEND_SHARD_ATTRIBUTE,
  AWAITING_SEND_SHARDS,
} from '../../domain/idempotency-reservation.js';
import { IDEMPOTENCY_TABLE_KEY, toRecord } from './idempotency-item.js';

/*
 * The reservation's life between the edge's write and a worker's claim: the edge's release after a failed
 * send, and the sweep's look-up (the sparse `awaiting-send` index) and its mark once it sent the message.
 */

type Values = Record<string, AttributeValue>;

/** The write-side form of `isSameReservation`: still that very reservation (live, ACCEPTED, same fingerprint, time, correlation id). */
function sameReservation(reservation: IdempotencyRecord, now: number): { condition: string; values: Values } {
  const values: Values = {
    ':accepted': { S: 'ACCEPTED' },
    ':payloadHash': { S: reservation.payloadHash },
    ':createdAt': { N: String(reservation.createdAt) },
    ':nowSeconds': { N: String(now / 1000) },
  };
  const clauses = [
    'attribute_exists(pk)',
    'expiresAt > :nowSeconds',
    '#status = :accepted',
    'payloadHash = :payloadHash',
    'createdAt = :createdAt',
  ];
  if (reservation.correlationId === undefined) clauses.push('attribute_not_exists(correlationId)');
  else {
    clauses.push('correlationId = :correlationId');
    values[':correlationId'] = { S: reservation.correlationId };
  }
  return { condition: clauses.join(' AND '), values };
}

/** One conditional DeleteItem; a failed condition (another request's record, claimed, gone) is an answer: false. */
export async function releaseReservationItem(
  client: DynamoDBClient,
  tableName: string,
  reservation: IdempotencyRecord,
  now: number,
): Promise<boolean> {
  const guard = sameReservation(reservation, now);
  try {
    await client.send(
      new DeleteItemCommand({
        TableName: tableName,
        Key: { [IDEMPOTENCY_TABLE_KEY]: { S: reservation.key } },
        ConditionExpression: guard.condition,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: guard.values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** One conditional UpdateItem: the sparse index' attributes and the kept message go, the lease starts again. */
export async function markReservationItemSent(
  client: DynamoDBClient,
  tableName: string,
  seen: IdempotencyRecord,
  leaseMs: number,
  now: number,
): Promise<boolean> {
  const guard = sameReservation(seen, now);
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: tableName,
        Key: { [IDEMPOTENCY_TABLE_KEY]: { S: seen.key } },
        UpdateExpression: `SET leaseExpiresAt = :leaseExpiresAt, updatedAt = :now REMOVE ${AWAITING_SEND_ATTRIBUTE}, ${AWAITING_SEND_SHARD_ATTRIBUTE}, pendingMessage`,
        ConditionExpression: `${guard.condition} AND attribute_exists(${AWAITING_SEND_ATTRIBUTE})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ...guard.values, ':leaseExpiresAt': { N: String(now + leaseMs) }, ':now': { N: String(now) } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Queries each shard of the sparse index (keys only) for reservations awaiting their send since before
 * `before`, then reads the oldest `limit` of them whole (consistent GetItem: the index is eventually
 * consistent, and it does not project the kept message). Cost with nothing stranded: one Query per shard,
 * 0.5 read units each.
 */
export async function findAwaitingSendItems(
  client: DynamoDBClient,
  tableName: string,
  before: number,
  limit: number,
  now: number,
): Promise<IdempotencyRecord[]> {
  const candidates: { key: string; since: number }[] = [];
  for (let shard = 0; shard < AWAITING_SEND_SHARDS; shard++) {
    let start: Values | undefined;
    let found = 0;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: AWAITING_SEND_INDEX,
          KeyConditionExpression: '#shard = :shard AND #since < :before',
          ExpressionAttributeNames: { '#shard': AWAITING_SEND_SHARD_ATTRIBUTE, '#since': AWAITING_SEND_ATTRIBUTE },
          ExpressionAttributeValues: { ':shard': { S: String(shard) }, ':before': { N: String(before) } },
          Limit: limit,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of page.Items ?? []) {
        const key = item[IDEMPOTENCY_TABLE_KEY]?.S;
        const since = item[AWAITING_SEND_ATTRIBUTE]?.N;
        if (key !== undefined && since !== undefined) candidates.push({ key, since: Number(since) });
      }
      found += page.Items?.length ?? 0;
      start = page.LastEvaluatedKey;
    } while (start !== undefined && found < limit);
  }
  const oldest = candidates.sort((a, b) => a.since - b.since).slice(0, limit);
  const records: IdempotencyRecord[] = [];
  for (const { key } of oldest) {
    const response = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { [IDEMPOTENCY_TABLE_KEY]: { S: key } }, ConsistentRead: true }),
    );
    const record = response.Item === undefined ? undefined : toRecord(response.Item);
    if (isLive(record, now) && record.status === 'ACCEPTED' && record.awaitingSendSince !== undefined && record.awaitingSendSince < before)
      records.push(record);
  }
  return records;
}
