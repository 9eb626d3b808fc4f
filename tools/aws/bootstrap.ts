import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand,
  DescribeEventBusCommand,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceNotFoundException as BusNotFound,
  type EventBridgeClient,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { configuredEndpoint, queueUrlOnEndpoint } from '../../adapters/aws/queue-url.js';
import { createIdempotencyTable, required } from './bootstrap-table.js';

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
