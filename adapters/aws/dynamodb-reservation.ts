import { ConditionalCheckFailedException, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import {
  decideReservation,
  isOwnReservation,
  type ReservationDecision,
  type ReservationRequest,
} from '../../domain/idempotency-reservation.js';
import { TransientError } from '../../domain/errors.js';
import { toItem } from './idempotency-item.js';

/** The RESERVED rows of `decideReservation`: no live record, or the same payload ACCEPTED whose reservation ran out. */
const RESERVABLE =
  'attribute_not_exists(pk) OR expiresAt <= :nowSeconds OR (payloadHash = :payloadHash AND #status = :accepted AND leaseExpiresAt <= :now)';

/**
 * The edge's reservation as one PutItem: the record the domain decides, written whole when the key is
 * free; a known key comes back on the failed condition (ALL_OLD), so every answer costs one call.
 */
export async function reserveRecord(
  client: DynamoDBClient,
  tableName: string,
  request: ReservationRequest,
  refusingRecord: (item: Record<string, AttributeValue> | undefined) => Promise<IdempotencyRecord | undefined>,
): Promise<ReservationDecision> {
  const decision = decideReservation(undefined, request);
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: toItem(decision.record),
        ConditionExpression: RESERVABLE,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: marshall({
          ':accepted': 'ACCEPTED',
          ':payloadHash': request.payloadHash,
          ':now': request.now,
          ':nowSeconds': request.now / 1000,
        }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return decision;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const refusing = await refusingRecord(error.Item);
    // Our own write, landed on an attempt whose answer was lost: the SDK's retry found it. It is ours.
    if (refusing !== undefined && isOwnReservation(refusing, request)) return decision;
    const known = decideReservation(refusing, request);
    // The item that refused the write allows it: it changed in between; the client's retry settles it.
    if (known.kind === 'RESERVED') {
      throw new TransientError(`idempotency reservation for ${request.key}: the stored record changed under it`, {
        code: 'IDEMPOTENCY.CLAIM_RACE',
        context: { key: request.key, kind: 'RESERVED' },
      });
    }
    return known;
  }
}
