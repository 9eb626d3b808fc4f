import { Construct } from 'constructs';
import { DynamodbTable } from '@cdktf/provider-aws/lib/dynamodb-table/index.js';
import { OUTBOX_PENDING_INDEX, OUTBOX_PENDING_SHARD_ATTRIBUTE, OUTBOX_PENDING_SINCE_ATTRIBUTE } from '../../domain/outbox.js';
import { AWAITING_SEND_ATTRIBUTE, AWAITING_SEND_INDEX, AWAITING_SEND_SHARD_ATTRIBUTE } from '../../domain/idempotency-reservation.js';

/** The key and TTL attribute names the DynamoDB idempotency adapter uses. */
export const IDEMPOTENCY_PARTITION_KEY = 'pk';
export const IDEMPOTENCY_EXPIRY_ATTRIBUTE = 'expiresAt';
/** What the table's stream carries: the item as written, which is all the outbox relay reads (domain/outbox.ts). */
export const IDEMPOTENCY_STREAM_VIEW = 'NEW_IMAGE';

export interface IdempotencyTableProps {
  readonly name: string;
  /** Refuse deletion (prod); `cdktf destroy` then needs it switched off first. */
  readonly deletionProtection: boolean;
}

/**
 * On-demand, so idle stages cost nothing and bursts need no capacity planning; TTL on the expiry
 * attribute (best effort: the code treats an expired record as absent anyway); point-in-time recovery;
 * encrypted at rest with the AWS-managed key. Its stream (new images) is the outbox's source and is always
 * on: disabling a stream makes the pipe reading it unusable, and re-enabling gives the stream a new ARN.
 *
 * The sparse `outbox-pending` index (domain/outbox.ts) holds only the items that owe events: the outbox
 * redelivery queries it by pending-since on every scheduled tick instead of scanning the table. Keys only
 * (the redelivery reads each item it finds, consistently): an index entry is about 100 bytes, written
 * when an item starts owing events and deleted when the relay's mark leaves nothing owed.
 *
 * The sparse `awaiting-send` index holds only reservations whose message may not have left (an item
 * carries its keys from the edge's reservation until the worker's claim), keys only: the scheduled sweep
 * queries it instead of scanning the table. Cost: each order writes the index twice (the reservation
 * adds the entry, the claim removes it), a few hundred bytes each; the sweep's empty run is one Query per
 * shard.
 */
export class IdempotencyTable extends Construct {
  readonly table: DynamodbTable;
  /** The sweep's index, for the one function that queries it. */
  readonly awaitingSendIndexArn: string;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps) {
    super(scope, id);
    this.table = new DynamodbTable(this, 'table', {
      name: props.name,
      billingMode: 'PAY_PER_REQUEST',
      hashKey: IDEMPOTENCY_PARTITION_KEY,
      attribute: [
        { name: IDEMPOTENCY_PARTITION_KEY, type: 'S' },
        { name: OUTBOX_PENDING_SHARD_ATTRIBUTE, type: 'N' },
        { name: OUTBOX_PENDING_SINCE_ATTRIBUTE, type: 'N' },
        { name: AWAITING_SEND_SHARD_ATTRIBUTE, type: 'S' },
        { name: AWAITING_SEND_ATTRIBUTE, type: 'N' },
      ],
      globalSecondaryIndex: [
        {
          name: OUTBOX_PENDING_INDEX,
          hashKey: OUTBOX_PENDING_SHARD_ATTRIBUTE,
          rangeKey: OUTBOX_PENDING_SINCE_ATTRIBUTE,
          projectionType: 'KEYS_ONLY',
        },
        {
          name: AWAITING_SEND_INDEX,
          hashKey: AWAITING_SEND_SHARD_ATTRIBUTE,
          rangeKey: AWAITING_SEND_ATTRIBUTE,
          projectionType: 'KEYS_ONLY',
        },
      ],
      ttl: { attributeName: IDEMPOTENCY_EXPIRY_ATTRIBUTE, enabled: true },
      pointInTimeRecovery: { enabled: true },
      serverSideEncryption: { enabled: true },
      deletionProtectionEnabled: props.deletionProtection,
      streamEnabled: true,
      streamViewType: IDEMPOTENCY_STREAM_VIEW,
    });
    this.awaitingSendIndexArn = `${this.table.arn}/index/${AWAITING_SEND_INDEX}`;
  }
}
