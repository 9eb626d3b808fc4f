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
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceNotFoundException as BusNotFound,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { OUTBOX_PENDING_INDEX, OUTBOX_PENDING_SHARD_ATTRIBUTE, OUTBOX_PENDING_SINCE_ATTRIBUTE } from '../../domain/outbox.js';
import { IDEMPOTENCY_TABLE_KEY, IDEMPOTENCY_TTL_ATTRIBUTE } from '../../adapters/aws/idempotency-item.js';
import { AWAITING_SEND_ATTRIBUTE, AWAITING_SEND_INDEX, AWAITING_SEND_SHARD_ATTRIBUTE } from '../../domain/idempotency-reservation.js';
import { configuredEndpoint, queueUrlOnEndpoint } from '../../adapters/aws/queue-url.js';

export interface AwsResourceNames {
  readonly orderQueueName: string;
  /** A second source queue built like the order queue, sharing its DLQ: the orchestrated topology's in topology `both`. */
  readonly orchestratedQueueName?: string;
  readonly deadLetterQueueName: string;
  /** The outbox pipe's DLQ. Default `<deadLetterQueueName>-outbox`. */
  readonly outboxDeadLetterQueueName?: string;
  readonly idempotencyTableName: string;
  readonly eventBusName: string;
  /** Where the rule delivers the bus's events so they can be read back. Default `<eventBusName>-events`. */
  readonly eventsQueueName?: string;
  readonly ruleName?: string;
  /** Receives after which SQS moves a message to the DLQ. Default 5 (AWS's advice with Lambda). */
  readonly maxReceiveCount?: number;
  readonly visibilityTimeoutSeconds?: number;
}

export interface AwsResources {
  readonly orderQueueUrl: string;
  readonly orderQueueArn: string;
  /** Set when `orchestratedQueueName` was given. */
  readonly orchestratedQueueUrl?: string;
  readonly deadLetterQueueUrl: string;
  readonly deadLetterQueueArn: string;
  readonly outboxDeadLetterQueueUrl: string;
  readonly idempotencyTableName: string;
  readonly idempotencyTableArn: string;
  /** The table's stream (NEW_IMAGE), which the outbox relay reads. */
  readonly idempotencyStreamArn: string;
  readonly eventBusName: string;
  readonly eventBusArn: string;
  readonly eventsQueueUrl: string;
  readonly eventsQueueArn: string;
  readonly ruleArn: string;
}

export interface BootstrapClients {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly eventBridge: EventBridgeClient;
}

const MAX_MESSAGE_BYTES = '1048576';
const FOUR_DAYS_SECONDS = 4 * 24 * 3600;
const FOURTEEN_DAYS_SECONDS = 14 * 24 * 3600;
/** Every event of the bus: an empty prefix matches any source. */
const ALL_EVENTS_PATTERN = JSON.stringify({ source: [{ prefix: '' }] });

/**
 * Creates what the pipeline needs, when missing, and answers its URLs and ARNs: the order queue with a
 * redrive policy to its DLQ (retention longer than the source's, as SQS keeps the original enqueue
 * time), the idempotency table with TTL on `expiresAt`, the event bus and a rule that copies every event
 * to an SQS queue. For local runs (moto, LocalStack) and the harness; terraform/ creates the same in AWS.
 */
export async function bootstrapAwsResources(clients: BootstrapClients, names: AwsResourceNames): Promise<AwsResources> {
  const endpoint = await configuredEndpoint(clients.sqs);
  const deadLetter = await createQueue(clients.sqs, endpoint, names.deadLetterQueueName, {
    MessageRetentionPeriod: String(FOURTEEN_DAYS_SECONDS),
  });
  const sourceQueue = {
    VisibilityTimeout: String(names.visibilityTimeoutSeconds ?? 30),
    MessageRetentionPeriod: String(FOUR_DAYS_SECONDS),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: deadLetter.arn, maxReceiveCount: names.maxReceiveCount ?? 5 }),
  };
  const order = await createQueue(clients.sqs, endpoint, names.orderQueueName, sourceQueue);
  const orchestrated =
    names.orchestratedQueueName === undefined
      ? undefined
      : await createQueue(clients.sqs, endpoint, names.orchestratedQueueName, sourceQueue);
  const events = await createQueue(clients.sqs, endpoint, names.eventsQueueName ?? `${names.eventBusName}-events`, {});
  const outboxDeadLetter = await createQueue(
    clients.sqs,
    endpoint,
    names.outboxDeadLetterQueueName ?? `${names.deadLetterQueueName}-outbox`,
    {
      MessageRetentionPeriod: String(FOURTEEN_DAYS_SECONDS),
    },
  );
  const table = await createIdempotencyTable(clients.dynamodb, names.idempotencyTableName);
  const eventBusArn = await createEventBus(clients.eventBridge, names.eventBusName);
  const rule = await clients.eventBridge.send(
    new PutRuleCommand({
      Name: names.ruleName ?? `${names.eventBusName}-to-sqs`,
      EventBusName: names.eventBusName,
      EventPattern: ALL_EVENTS_PATTERN,
      State: 'ENABLED',
    }),
  );
  const ruleArn = required(rule.RuleArn, 'PutRule returned no RuleArn');
  await clients.sqs.send(
    new SetQueueAttributesCommand({ QueueUrl: events.url, Attributes: { Policy: eventsQueuePolicy(events.arn, ruleArn) } }),
  );
  await clients.eventBridge.send(
    new PutTargetsCommand({
      Rule: names.ruleName ?? `${names.eventBusName}-to-sqs`,
      EventBusName: names.eventBusName,
      Targets: [{ Id: 'events-queue', Arn: events.arn }],
    }),
  );
  return {
    orderQueueUrl: order.url,
    orderQueueArn: order.arn,
    ...(orchestrated === undefined ? {} : { orchestratedQueueUrl: orchestrated.url }),
    deadLetterQueueUrl: deadLetter.url,
    deadLetterQueueArn: deadLetter.arn,
    outboxDeadLetterQueueUrl: outboxDeadLetter.url,
    idempotencyTableName: names.idempotencyTableName,
    idempotencyTableArn: table.arn,
    idempotencyStreamArn: table.streamArn,
    eventBusName: names.eventBusName,
    eventBusArn,
    eventsQueueUrl: events.url,
    eventsQueueArn: events.arn,
    ruleArn,
  };
}

async function createQueue(
  sqs: SQSClient,
  endpoint: string | undefined,
  name: string,
  attributes: Record<string, string>,
): Promise<{ url: string; arn: string }> {
  const created = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { MaximumMessageSize: MAX_MESSAGE_BYTES, ...attributes } }),
  );
  const url = queueUrlOnEndpoint(required(created.QueueUrl, `CreateQueue ${name} returned no QueueUrl`), endpoint);
  const described = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: required(described.Attributes?.QueueArn, `queue ${name} has no QueueArn`) };
}

/** The outbox relay reads new images; a table made before the outbox gets its stream turned on. */
const OUTBOX_STREAM = { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } as const;

/**
 * The sparse index of records owing events (domain/outbox.ts), as terraform/constructs/idempotency-table.ts
 * declares it: keys only, since the redelivery reads each item it finds consistently anyway.
 */
const OUTBOX_PENDING_INDEX_ATTRIBUTES: AttributeDefinition[] = [
  { AttributeName: OUTBOX_PENDING_SHARD_ATTRIBUTE, AttributeType: 'N' },
  { AttributeName: OUTBOX_PENDING_SINCE_ATTRIBUTE, AttributeType: 'N' },
];
const OUTBOX_PENDING_GSI: GlobalSecondaryIndex = {
  IndexName: OUTBOX_PENDING_INDEX,
  KeySchema: [
    { AttributeName: OUTBOX_PENDING_SHARD_ATTRIBUTE, KeyType: 'HASH' },
    { AttributeName: OUTBOX_PENDING_SINCE_ATTRIBUTE, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'KEYS_ONLY' },
};

/** The sparse index of reservations awaiting their send (domain/idempotency-reservation.ts), keys only. */
const AWAITING_SEND_ATTRIBUTES: AttributeDefinition[] = [
  { AttributeName: AWAITING_SEND_SHARD_ATTRIBUTE, AttributeType: 'S' },
  { AttributeName: AWAITING_SEND_ATTRIBUTE, AttributeType: 'N' },
];
const AWAITING_SEND_GSI: GlobalSecondaryIndex = {
  IndexName: AWAITING_SEND_INDEX,
  KeySchema: [
    { AttributeName: AWAITING_SEND_SHARD_ATTRIBUTE, KeyType: 'HASH' },
    { AttributeName: AWAITING_SEND_ATTRIBUTE, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'KEYS_ONLY' },
};

async function createIdempotencyTable(dynamodb: DynamoDBClient, tableName: string): Promise<{ arn: string; streamArn: string }> {
  let described = await describeTable(dynamodb, tableName);
  if (described === undefined) {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: tableName,
        KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE_KEY, KeyType: 'HASH' }],
        AttributeDefinitions: [
          { AttributeName: IDEMPOTENCY_TABLE_KEY, AttributeType: 'S' },
          ...OUTBOX_PENDING_INDEX_ATTRIBUTES,
          ...AWAITING_SEND_ATTRIBUTES,
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: OUTBOX_STREAM,
        GlobalSecondaryIndexes: [OUTBOX_PENDING_GSI, AWAITING_SEND_GSI],
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
          AttributeDefinitions: [...OUTBOX_PENDING_INDEX_ATTRIBUTES],
          GlobalSecondaryIndexUpdates: [{ Create: OUTBOX_PENDING_GSI }],
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
        AttributeDefinitions: [...AWAITING_SEND_ATTRIBUTES],
        GlobalSecondaryIndexUpdates: [{ Create: AWAITING_SEND_GSI }],
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

async function createEventBus(eventBridge: EventBridgeClient, name: string): Promise<string> {
  try {
    const described = await eventBridge.send(new DescribeEventBusCommand({ Name: name }));
    return required(described.Arn, `event bus ${name} has no Arn`);
  } catch (error) {
    if (!(error instanceof BusNotFound)) throw error;
  }
  const created = await eventBridge.send(new CreateEventBusCommand({ Name: name }));
  return required(created.EventBusArn, `CreateEventBus ${name} returned no EventBusArn`);
}

/** Real accounts need it for the rule to deliver; emulators ignore it. */
function eventsQueuePolicy(queueArn: string, ruleArn: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowEventBridgeRule',
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': ruleArn } },
      },
    ],
  });
}

function required<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}
