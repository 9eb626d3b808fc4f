import { marshall } from '@aws-sdk/util-dynamodb';
import { AWAITING_SEND_ATTRIBUTE, AWAITING_SEND_SHARD_ATTRIBUTE } from '../../domain/idempotency-reservation.js';
import type { ClaimRequest } from '../../domain/idempotency.js';
import type { OutboxEntry } from '../../domain/outbox.js';
import { commitClauses, statusValues, type Values } from './dynamodb-expressions.js';

/**
 * The UpdateItem a claim writes: INFLIGHT under a new owner and lease, one more attempt, the TTL; a
 * claimed reservation leaves the sweep's index and drops its kept message; OrderPublished (`published`)
 * joins the outbox in the same write. The condition is the caller's (which claim this is).
 */
export function claimUpdate(
  request: ClaimRequest,
  published: OutboxEntry | undefined,
): { readonly update: string; readonly values: Values } {
  const { now } = request;
  const commit = commitClauses(published === undefined ? {} : { events: [published] }, request.key);
  const set = [
    '#status = :inflight',
    'payloadHash = :payloadHash',
    'attempts = if_not_exists(attempts, :zero) + :one',
    'ownerToken = :owner',
    'leaseExpiresAt = :leaseExpiresAt',
    'expiresAt = :expiresAt',
    'createdAt = if_not_exists(createdAt, :now)',
    'updatedAt = :now',
  ];
  // A claimed reservation no longer awaits its send: it leaves the sweep's index and drops the kept message.
  const remove: string[] = [AWAITING_SEND_ATTRIBUTE, AWAITING_SEND_SHARD_ATTRIBUTE, 'pendingMessage'];
  const values: Values = {
    ...statusValues(),
    ...marshall({
      ':payloadHash': request.payloadHash,
      ':zero': 0,
      ':one': 1,
      ':owner': request.ownerToken,
      ':leaseExpiresAt': now + request.leaseMs,
      ':expiresAt': Math.floor(now / 1000) + request.ttlSeconds,
      ':now': now,
      ':nowSeconds': now / 1000,
    }),
    ...commit.values,
  };
  for (const [name, value] of [
    ['orderId', request.orderId],
    ['correlationId', request.correlationId],
  ] as const) {
    if (value === undefined) remove.push(name);
    else {
      set.push(`${name} = :${name}`);
      values[`:${name}`] = { S: value };
    }
  }
  return { update: `SET ${set.join(', ')}${commit.set} REMOVE ${remove.join(', ')}`, values };
}
