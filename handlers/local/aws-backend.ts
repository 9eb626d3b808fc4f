import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Clock } from '../../application/ports/clock.js';
import type { Random } from '../../application/ports/random.js';
import { bootstrapAwsResources } from '../../adapters/aws/bootstrap.js';
import { createAwsClients } from '../../adapters/aws/clients.js';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store.js';
import { toRecord } from '../../adapters/aws/idempotency-item.js';
import { isLive, type IdempotencyRecord } from '../../domain/idempotency.js';
import { awsAdaptersModule } from '../aws-adapters-module.js';
import { AwsPolledQueue } from './aws-polled-queue.js';
import type { Backend, QueueDepth } from './backend.js';
import { harnessConfig } from './harness-config.js';

export interface AwsBackendOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly bootstrap: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  readonly clock: Clock;
  readonly random: Random;
}

/** Scanning is for a local table (moto) or a small test one; the status page stops counting here. */
const MAX_SCANNED_RECORDS = 5_000;

/**
 * The AWS SDK adapters against AWS_ENDPOINT_URL (moto, LocalStack) or the account in the credentials.
 * With `bootstrap`, the queues, table and bus are created when missing (names from ORDER_QUEUE_NAME,
 * DEAD_LETTER_QUEUE_NAME, IDEMPOTENCY_TABLE_NAME, EVENT_BUS_NAME, or `orders-local…`); otherwise the
 * pipeline's usual variables (ORDER_QUEUE_URL, …) must name them.
 */
export async function createAwsBackend(options: AwsBackendOptions): Promise<Backend> {
  const { env } = options;
  const clients = createAwsClients({}, env);
  let overrides: Record<string, string> = {};
  if (options.bootstrap) {
    const resources = await bootstrapAwsResources(clients, {
      orderQueueName: env.ORDER_QUEUE_NAME ?? 'orders-local',
      deadLetterQueueName: env.DEAD_LETTER_QUEUE_NAME ?? 'orders-local-dlq',
      idempotencyTableName: env.IDEMPOTENCY_TABLE_NAME ?? 'orders-local-idempotency',
      eventBusName: env.EVENT_BUS_NAME ?? 'orders-local-bus',
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      maxReceiveCount: options.maxReceiveCount,
    });
    overrides = {
      ORDER_QUEUE_URL: resources.orderQueueUrl,
      DEAD_LETTER_QUEUE_URL: resources.deadLetterQueueUrl,
      IDEMPOTENCY_TABLE_NAME: resources.idempotencyTableName,
      EVENT_BUS_NAME: resources.eventBusName,
    };
  }
  const config = harnessConfig(env, 'aws', overrides);
  const store = new DynamoDbIdempotencyStore({ client: clients.dynamodb, tableName: config.idempotencyTableName });
  const orderQueue = await AwsPolledQueue.open(clients.sqs, config.orderQueueUrl);
  return {
    kind: 'aws',
    config,
    adapters: awsAdaptersModule(config, options.clock, options.random, clients),
    orderQueue,
    depths: async () => ({ orders: await depthOf(clients.sqs, config.orderQueueUrl), deadLetters: await depthOf(clients.sqs, config.deadLetterQueueUrl) }),
    record: (key, now) => store.get(key, now),
    records: async (now) => {
      const records: IdempotencyRecord[] = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await clients.dynamodb.send(new ScanCommand({ TableName: config.idempotencyTableName, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) {
          const record = toRecord(item);
          if (isLive(record, now)) records.push(record);
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined && records.length < MAX_SCANNED_RECORDS);
      return records;
    },
    close: async () => {
      clients.sqs.destroy();
      clients.dynamodb.destroy();
      clients.eventBridge.destroy();
    },
  };
}

async function depthOf(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const response = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl,
    AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
  }));
  const attributes = response.Attributes ?? {};
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}
