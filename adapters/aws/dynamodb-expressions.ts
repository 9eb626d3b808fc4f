import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { FailureCommit } from '../../application/ports/idempotency-store.js';
import {
  OUTBOX_PENDING_ATTRIBUTE,
  OUTBOX_PENDING_SHARD_ATTRIBUTE,
  OUTBOX_PENDING_SINCE_ATTRIBUTE,
  outboxPendingShard,
  outboxPendingSince,
} from '../../domain/outbox.js';
import { outboxEntriesValue } from './idempotency-item.js';

export type Values = Record<string, AttributeValue>;

const PLACEHOLDERS = new Map<string, RegExp>();

/** The pattern of one placeholder, compiled once: every write checks a dozen of them. */
function placeholder(name: string): RegExp {
  let pattern = PLACEHOLDERS.get(name);
  if (pattern === undefined) {
    pattern = new RegExp(`${name}(?![A-Za-z0-9_])`);
    PLACEHOLDERS.set(name, pattern);
  }
  return pattern;
}

/** DynamoDB refuses placeholders that neither expression uses, so only the used ones are sent. */
export function expressions(update: string, condition: string, values: Values) {
  const text = `${update} ${condition}`;
  const used = Object.entries(values).filter(([name]) => placeholder(name).test(text));
  return {
    UpdateExpression: update,
    ConditionExpression: condition,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: Object.fromEntries(used),
  };
}

/**
 * The SET clauses (and their values) that append events to the outbox of `key` and keep a parked message.
 * Appending events also puts the item in the sparse owing index (domain/outbox.ts): its shard, and its
 * pending-since unless it already owed older events (entries are committed in time order, so
 * `if_not_exists` keeps the oldest undelivered entry's time, as `outboxPendingSince` computes it).
 */
export function commitClauses(commit: FailureCommit, key: string): { set: string; values: Values } {
  let set = '';
  const values: Values = {};
  if (commit.events !== undefined && commit.events.length > 0) {
    set += `, outbox = list_append(if_not_exists(outbox, :noEvents), :events), ${OUTBOX_PENDING_ATTRIBUTE} = :pending`;
    set += `, ${OUTBOX_PENDING_SINCE_ATTRIBUTE} = if_not_exists(${OUTBOX_PENDING_SINCE_ATTRIBUTE}, :pendingSince), ${OUTBOX_PENDING_SHARD_ATTRIBUTE} = :pendingShard`;
    Object.assign(values, {
      ':noEvents': { L: [] },
      ':events': outboxEntriesValue(commit.events),
      ':pending': { BOOL: true },
      ':pendingSince': { N: String(outboxPendingSince(commit.events)) },
      ':pendingShard': { N: String(outboxPendingShard(key)) },
    });
  }
  if (commit.parkedMessage !== undefined) {
    set += ', parkedMessage = :parkedMessage';
    values[':parkedMessage'] = { M: marshall(commit.parkedMessage) };
  }
  return { set, values };
}

export function statusValues(): Values {
  return {
    ':accepted': { S: 'ACCEPTED' },
    ':inflight': { S: 'INFLIGHT' },
    ':retry': { S: 'RETRY' },
    ':succeeded': { S: 'SUCCEEDED' },
    ':parked': { S: 'PARKED' },
  };
}

/* The write-side encoding of the rows of domain/idempotency.ts: each store write is conditioned on one of these. */

/*
 * The PROCEED rows of `decideClaim`, as one write condition: no live record (absent, or past expiresAt),
 * or the same payload ACCEPTED at the edge or in RETRY, or the same payload INFLIGHT with its lease run out.
 */
export const CLAIMABLE =
  'attribute_not_exists(pk) OR expiresAt <= :nowSeconds OR (payloadHash = :payloadHash AND (#status = :accepted OR #status = :retry OR ' +
  '(#status = :inflight AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now))))';
/** The PROCEED rows that are an order's first claim (`isFirstClaim`): no live record, or the edge's reservation. */
export const FIRST_CLAIMABLE =
  'attribute_not_exists(pk) OR expiresAt <= :nowSeconds OR (payloadHash = :payloadHash AND #status = :accepted)';
/** The other PROCEED rows: the same payload in RETRY, or INFLIGHT with its lease run out. */
export const RECLAIMABLE =
  'attribute_exists(pk) AND expiresAt > :nowSeconds AND payloadHash = :payloadHash AND (#status = :retry OR ' +
  '(#status = :inflight AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now)))';
/** The caller still holds the claim it was granted. */
export const HELD_BY_OWNER = 'attribute_exists(pk) AND expiresAt > :nowSeconds AND #status = :inflight AND ownerToken = :owner';
/** The PARK row of `transition`: live, not SUCCEEDED, and not held by a live lease. */
export const PARKABLE =
  'attribute_exists(pk) AND expiresAt > :nowSeconds AND ' +
  '(#status = :accepted OR #status = :retry OR #status = :parked OR (#status = :inflight AND (attribute_not_exists(leaseExpiresAt) OR leaseExpiresAt <= :now)))';
export const RELEASE_LEASE = 'REMOVE ownerToken, leaseExpiresAt';
