import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DescribeTableCommand, paginateScan } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Clock } from '../../application/ports/clock.js';
import type { Random } from '../../application/ports/random.js';
import { bootstrapAwsResources } from '../../tools/aws/bootstrap.js';
import { readDeliveredEvents } from '../../tools/aws/delivered-events.js';
import { createAwsClients, endpointFromEnv } from '../../adapters/aws/clients.js';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store.js';
import { IDEMPOTENCY_TTL_ATTRIBUTE, toRecord } from '../../adapters/aws/idempotency-item.js';
import { isLive, type IdempotencyRecord } from '../../domain/idempotency.js';
import { OUTBOX_PENDING_ATTRIBUTE } from '../../domain/outbox.js';
import { awsAdaptersModule } from '../pipeline/composition/aws-adapters-module.js';
import { AwsPolledQueue } from '../emulation/event-sources/aws-polled-queue.js';
import { AwsTableStream } from '../emulation/streams/aws-table-stream.js';
import { PollingLoop } from '../emulation/event-sources/polling-loop.js';
import { isUnsettled, type Backend, type QueueDepth } from './backend.js';
import { harnessConfig } from '../pipeline/config.js';

export interface AwsBackendOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly bootstrap: boolean;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
  /** Topology `both`: the orchestrated topology's queue, created by `bootstrap` or named by ORCHESTRATED_QUEUE_URL. */
  readonly orchestratedQueue: boolean;
  /** ORCHESTRATED_SHARE_PERCENT for the pipeline (0 with one topology). */
  readonly orchestratedSharePercent: number;
  readonly clock: Clock;
  readonly random: Random;
}

/** Scanning is for a local table (moto) or a small test one; the status page stops counting here. */
const MAX_SCANNED_RECORDS = 5_000;

/**
 * The AWS SDK adapters against AWS_ENDPOINT_URL (moto, LocalStack) or the account in the credentials.
 * With `bootstrap`, the queues, table and bus are created when missing (names from ORDER_QUEUE_NAME,
 * DEAD_LETTER_QUEUE_NAME, IDEMPOTENCY_TABLE_NAME, EVENT_BUS_NAME, or `orders-local…`); otherwise the
 * pipeline's usual variables (ORDER_QUEUE_URL, …) must name them. In topology `both` the orchestrated
 * queue is created beside the order queue (ORCHESTRATED_QUEUE_NAME, or `<order queue>-orchestrated`),
 * with its attributes and DLQ, or named by ORCHESTRATED_QUEUE_URL.
 */
export async function createAwsBackend(options: AwsBackendOptions): Promise<Backend> {
  const { env } = options;
  if (options.orchestratedQueue && !options.bootstrap && (env.ORCHESTRATED_QUEUE_URL ?? '').trim() === '') {
    throw new Error(
      "--topology both on --backend aws needs the orchestrated topology's queue: set ORCHESTRATED_QUEUE_URL, or pass --bootstrap to create it",
    );
  }
  const clients = createAwsClients(harnessClientOptions(env), env);
  let overrides: Record<string, string> = { ORCHESTRATED_SHARE_PERCENT: String(options.orchestratedSharePercent) };
  let eventsQueueDrain: PollingLoop | undefined;
  if (options.bootstrap) {
    const orderQueueName = env.ORDER_QUEUE_NAME ?? 'orders-local';
    const resources = await bootstrapAwsResources(clients, {
      orderQueueName,
      ...(options.orchestratedQueue ? { orchestratedQueueName: env.ORCHESTRATED_QUEUE_NAME ?? `${orderQueueName}-orchestrated` } : {}),
      deadLetterQueueName: env.DEAD_LETTER_QUEUE_NAME ?? 'orders-local-dlq',
      idempotencyTableName: env.IDEMPOTENCY_TABLE_NAME ?? 'orders-local-idempotency',
      eventBusName: env.EVENT_BUS_NAME ?? 'orders-local-bus',
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
      maxReceiveCount: options.maxReceiveCount,
    });
    overrides = {
      ...overrides,
      ORDER_QUEUE_URL: resources.orderQueueUrl,
      DEAD_LETTER_QUEUE_URL: resources.deadLetterQueueUrl,
      OUTBOX_DEAD_LETTER_QUEUE_URL: resources.outboxDeadLetterQueueUrl,
      IDEMPOTENCY_TABLE_NAME: resources.idempotencyTableName,
      EVENT_BUS_NAME: resources.eventBusName,
    };
    if (resources.orchestratedQueueUrl !== undefined) overrides.ORCHESTRATED_QUEUE_URL = resources.orchestratedQueueUrl;
    eventsQueueDrain = drainEventsQueue(clients.sqs, resources.eventsQueueUrl);
  }
  const config = harnessConfig(env, 'aws', overrides);
  const outboxDeadLetterQueueUrl = config.outboxDeadLetterQueueUrl;
  if (outboxDeadLetterQueueUrl === undefined) {
    throw new Error(
      "--backend aws needs the outbox pipe's dead-letter queue: set OUTBOX_DEAD_LETTER_QUEUE_URL, or pass --bootstrap to create it",
    );
  }
  const streams = new DynamoDBStreamsClient({ region: await clients.dynamodb.config.region(), ...streamsEndpoint(env) });
  const store = new DynamoDbIdempotencyStore({ client: clients.dynamodb, tableName: config.idempotencyTableName });
  const orderQueue = await AwsPolledQueue.open(clients.sqs, config.orderQueueUrl);
  const orchestratedQueueUrl = options.orchestratedQueue ? config.orchestratedQueueUrl : undefined;
  const orchestratedQueue = orchestratedQueueUrl === undefined ? undefined : await AwsPolledQueue.open(clients.sqs, orchestratedQueueUrl);
  const { ORCHESTRATED_SHARE_PERCENT: _share, ...bootstrapped } = overrides;
  return {
    kind: 'aws',
    config,
    ...(options.bootstrap ? { bootstrapped } : {}),
    adapters: awsAdaptersModule(config, options.clock, options.random, clients),
    orderQueue,
    orchestratedQueue,
    depths: async () => ({
      orders: await depthOf(clients.sqs, config.orderQueueUrl),
      deadLetters: await depthOf(clients.sqs, config.deadLetterQueueUrl),
      ...(orchestratedQueueUrl === undefined ? {} : { orchestrated: await depthOf(clients.sqs, orchestratedQueueUrl) }),
      outboxDeadLetters: await depthOf(clients.sqs, outboxDeadLetterQueueUrl),
    }),
    record: (key, now) => store.get(key, now),
    records: async (now) => {
      const records: IdempotencyRecord[] = [];
      for await (const page of paginateScan({ client: clients.dynamodb }, { TableName: config.idempotencyTableName })) {
        for (const item of page.Items ?? []) {
          const record = toRecord(item);
          if (isLive(record, now)) records.push(record);
        }
        if (records.length >= MAX_SCANNED_RECORDS) break;
      }
      return records;
    },
    progress: async (now) => {
      let records = 0;
      let unsettled = 0;
      let owingEvents = 0;
      const projection = {
        TableName: config.idempotencyTableName,
        ProjectionExpression: '#status, #ttl, #pending',
        ExpressionAttributeNames: { '#status': 'status', '#ttl': IDEMPOTENCY_TTL_ATTRIBUTE, '#pending': OUTBOX_PENDING_ATTRIBUTE },
      };
      for await (const page of paginateScan({ client: clients.dynamodb }, projection)) {
        for (const item of page.Items ?? []) {
          if (Number(item[IDEMPOTENCY_TTL_ATTRIBUTE]?.N ?? 0) * 1000 <= now) continue;
          records += 1;
          if (isUnsettled(item.status?.S ?? '')) unsettled += 1;
          if (item[OUTBOX_PENDING_ATTRIBUTE]?.BOOL === true) owingEvents += 1;
        }
      }
      return { records, unsettled, owingEvents };
    },
    openTableStream: async () => {
      const streamArn = (await clients.dynamodb.send(new DescribeTableCommand({ TableName: config.idempotencyTableName }))).Table
        ?.LatestStreamArn;
      if (streamArn === undefined)
        throw new Error(`table ${config.idempotencyTableName} has no stream: the outbox needs NEW_IMAGE (--bootstrap turns it on)`);
      const stream = await AwsTableStream.open(streams, streamArn);
      return stream;
    },
    close: async () => {
      await eventsQueueDrain?.stop();
      streams.destroy();
      clients.sqs.destroy();
      clients.dynamodb.destroy();
      clients.eventBridge.destroy();
    },
  };
}

/**
 * The bootstrap's rule delivers every event to an SQS queue (the proof, for the specs, that an event
 * reached a target). The harness observes deliveries at PutEvents itself and never reads that queue, and
 * moto's SQS works out every message's visibility on each send: a queue nobody empties makes each event
 * cost more than the last (a quarter of moto's time after 1 000 orders, the relay timing out). So the
 * harness empties it in the background.
 */
function drainEventsQueue(sqs: SQSClient, eventsQueueUrl: string): PollingLoop {
  const loop: PollingLoop = new PollingLoop(async () => {
    try {
      const read = await readDeliveredEvents(sqs, eventsQueueUrl, 100);
      if (read.length < 100) await loop.pause(1_000);
    } catch {
      // moto restarting or overloaded: the next turn tries again
      await loop.pause(5_000);
    }
  });
  loop.start();
  return loop;
}

async function depthOf(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const response = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const attributes = response.Attributes ?? {};
  return {
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** DynamoDB Streams has its own endpoint in AWS; locally (moto) it is the one endpoint, as for DynamoDB. */
function streamsEndpoint(env: Readonly<Record<string, string | undefined>>): { endpoint?: string } {
  const endpoint = env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS?.trim() || endpointFromEnv('DYNAMODB', env);
  return endpoint === undefined || endpoint === '' ? {} : { endpoint };
}

/**
 * `AWS_REQUEST_TIMEOUT_MS` lengthens the time one HTTP attempt may take (the functions' 3 s otherwise): an
 * emulator on a busy machine can be slower than AWS, and an attempt given up on while it lands is retried
 * and done twice. The harness only; deployed functions keep their fixed timeout.
 */
export function harnessClientOptions(env: Readonly<Record<string, string | undefined>>): { requestTimeoutMs?: number } {
  const raw = env.AWS_REQUEST_TIMEOUT_MS?.trim();
  if (raw === undefined || raw === '') return {};
  const requestTimeoutMs = Number(raw);
  if (!Number.isInteger(requestTimeoutMs) || requestTimeoutMs < 100)
    throw new Error(`AWS_REQUEST_TIMEOUT_MS must be a whole number of milliseconds, at least 100 (got ${raw})`);
  return { requestTimeoutMs };
}
