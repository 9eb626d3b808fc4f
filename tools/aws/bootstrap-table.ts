import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException as TableNotFound,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { IDEMPOTENCY_TABLE_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../../adapters/aws/idempotency-item.js';
import { AWAITING_SEND_ATTRIBUTE, AWAITING_SEND_INDEX, AWAITING_SEND_SHARD_ATTRIBUTE } from '../../domain/idempotency-reservation.js';
import { OUTBOX_PENDING_INDEX, OUTBOX_PENDING_SHARD_ATTRIBUTE, OUTBOX_PENDING_SINCE_ATTRIBUTE } from '../../domain/outbox.js';

/* The idempotency table as bootstrap.ts creates it on an emulator: key, TTL, stream and the two sparse indexes terraform/constructs/idempotency-table.ts declares. */

/** The outbox relay reads new images; a table made before the outbox gets its stream turned on. */
const OUTBOX_STREAM = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } as const;

/** A sparse index with a partition and a sort key, keys only: the readers read each item they find consistently anyway. */
function keysOnlyIndex(
  indexName: string,
  partition: { readonly name: string; readonly type: 'S' | 'N' },
  sort: string,
): { readonly attributes: AttributeDefinition[]; readonly index: GlobalSecondaryIndex } {
  return {
    attributes: [
      { AttributeName: partition.name, AttributeType: partition.type },
      { AttributeName: sort, AttributeType: 'N' },
    ],
    index: {
      IndexName: indexName,
      KeySchema: [
        { AttributeName: partition.name, KeyType: 'HASH' },
        { AttributeName: sort, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'KEYS_ONLY' },
    },
  };
}

/** The records owing events (domain/outbox.ts), as terraform/constructs/idempotency-table.ts declares it. */
const OUTBOX_PENDING = keysOnlyIndex(
  OUTBOX_PENDING_INDEX,
  { name: OUTBOX_PENDING_SHARD_ATTRIBUTE, type: 'N' },
  OUTBOX_PENDING_SINCE_ATTRIBUTE,
);
/** The reservations awaiting their send (domain/idempotency-reservation.ts). */
const AWAITING_SEND = keysOnlyIndex(AWAITING_SEND_INDEX, { name: AWAITING_SEND_SHARD_ATTRIBUTE, type: 'S' }, AWAITING_SEND_ATTRIBUTE);

export async function createIdempotencyTable(dynamodb: DynamoDBClient, tableName: string): Promise<{ arn: string; streamArn: string }> {
  let described = await describeTable(dynamodb, tableName);
  if (described === undefined) {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE_KEY, KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: IDEMPOTENCY_TABLE_KEY, AttributeType: 'S' },
          ...OUTBOX_PENDING.attributes,
          ...AWAITING_SEND.attributes,
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: OUTBOX_STREAM,
        GlobalSecondaryIndexes: [OUTBOX_PENDING.index, AWAITING_SEND.index],
      }),
    );
    await waitUntilActive(dynamodb, tableName);
  } else {
    if (described.StreamSpecification?.StreamEnabled !== true) {
      await dynamodb.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: OUTBOX_STREAM }));
      await waitUntilActive(dynamodb, tableName);
    }
    if (!(described.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === OUTBOX_PENDING_INDEX)) {
      await dynamodb.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [...OUTBOX_PENDING.attributes],
          GlobalSecondaryIndexUpdates: [{ Create: OUTBOX_PENDING.index }],
        }),
      );
      await waitUntilActive(dynamodb, tableName);
    }
  }
  // A table made before the sweep's index gets it added.
  if (described !== undefined && !(described.GlobalSecondaryIndexes ?? []).some((index) => index.IndexName === AWAITING_SEND_INDEX)) {
    await dynamodb.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [...AWAITING_SEND.attributes],
        GlobalSecondaryIndexUpdates: [{ Create: AWAITING_SEND.index }],
      }),
    );
    await waitUntilActive(dynamodb, tableName);
  }
  described = await describeTable(dynamodb, tableName);
  const arn = required(described?.TableArn, `table ${tableName} has no TableArn`);
  const streamArn = required(described?.LatestStreamArn, `table ${tableName} has no stream`);
  const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status !== 'ENABLED' && status !== 'ENABLING') {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: IDEMPOTENCY_TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  }
  return { arn, streamArn };
}

async function describeTable(dynamodb: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    const described = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    return described.Table;
  } catch (error) {
    if (error instanceof TableNotFound) return undefined;
    throw error;
  }
}

async function waitUntilActive(dynamodb: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt += 1) {
    const described = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (described.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  throw new Error(`table ${tableName} did not become ACTIVE within 60 s`);
}

export function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}
