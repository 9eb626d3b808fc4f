import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DeleteEventBusCommand,
  DeleteRuleCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  RemoveTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { DeleteQueueCommand } from '@aws-sdk/client-sqs';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { readDeliveredEvents } from '../../tools/aws/delivered-events.js';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store.js';
import { EventBridgeEventBus } from '../../adapters/aws/eventbridge-event-bus.js';
import { SqsDeadLetterQueue } from '../../adapters/aws/sqs-dead-letter-queue.js';
import { SqsOrderQueue } from '../../adapters/aws/sqs-order-queue.js';
import { deadLetterQueueContract } from './contract/dead-letter-queue.contract.js';
import {
  eventBusContract,
  eventBusEntryFailureContract,
  type DeliveredEvent,
  type EventBusEntryFailureSubject,
} from './contract/event-bus.contract.js';
import { idempotencyStoreContract } from './contract/idempotency-store.contract.js';
import { idempotencyReservationContract } from './contract/idempotency-reservation.contract.js';
import { outboxStoreContract } from './contract/outbox-store.contract.js';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { AwsTableStream } from '../../harness/emulation/streams/aws-table-stream.js';
import { orderQueueContract } from './contract/order-queue.contract.js';
import { prepareMotoAccount, useMotoServer, MOTO_RESOURCE_NAMES, type MotoServer } from '../../tools/moto/moto.js';

/*
 * The contract specs the in-memory fakes pass, run against the AWS adapters talking to moto over
 * loopback. Every test starts from a reset account with freshly bootstrapped resources.
 */
const moto = useMotoServer();
const MAX_RECEIVE_COUNT = 2;
/** Backoff between entry re-sends is incidental here; keep the specs fast. */
const noWait = { sleep: async () => undefined };

describe('AWS adapters on moto', () => {
  beforeEach(async () => {
    await moto.server.reset();
  });

  orderQueueContract('SqsOrderQueue on moto', async () => {
    const { clients, resources } = await prepareMotoAccount(moto.server, {
      names: { ...MOTO_RESOURCE_NAMES, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    const queue = new SqsOrderQueue({ client: clients.sqs, queueUrl: resources.orderQueueUrl, clock: noWait });
    const deadLetters = new SqsDeadLetterQueue({ client: clients.sqs, queueUrl: resources.deadLetterQueueUrl, clock: noWait });
    return {
      queue,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      receive: (max, visibilityTimeoutSeconds) => queue.receive(max, visibilityTimeoutSeconds),
      receiveDeadLetters: (max) => deadLetters.receive(max, 60),
      advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      deleteQueue: () => deleteQueue(clients, resources.orderQueueUrl),
    };
  });

  deadLetterQueueContract('SqsDeadLetterQueue on moto', async () => {
    const { clients, resources } = await prepareMotoAccount(moto.server);
    return {
      deadLetterQueue: new SqsDeadLetterQueue({ client: clients.sqs, queueUrl: resources.deadLetterQueueUrl, clock: noWait }),
      deleteQueue: () => deleteQueue(clients, resources.deadLetterQueueUrl),
    };
  });

  idempotencyStoreContract('DynamoDbIdempotencyStore on moto', async () => {
    const { clients, resources } = await prepareMotoAccount(moto.server);
    return {
      store: new DynamoDbIdempotencyStore({ client: clients.dynamodb, tableName: resources.idempotencyTableName }),
      deleteTable: async () => {
        await clients.dynamodb.send(new DeleteTableCommand({ TableName: resources.idempotencyTableName }));
      },
    };
  });
  idempotencyReservationContract('DynamoDbIdempotencyStore on moto', async () => {
    const { clients, resources } = await prepareMotoAccount(moto.server);
    return {
      store: new DynamoDbIdempotencyStore({ client: clients.dynamodb, tableName: resources.idempotencyTableName }),
      deleteTable: async () => {
        await clients.dynamodb.send(new DeleteTableCommand({ TableName: resources.idempotencyTableName }));
      },
    };
  });

  outboxStoreContract('DynamoDbIdempotencyStore and DynamoDB Streams on moto', async () => {
    const { clients, resources } = await prepareMotoAccount(moto.server);
    const streams = new DynamoDBStreamsClient({ region: 'us-east-1', endpoint: moto.server.endpoint });
    return {
      store: new DynamoDbIdempotencyStore({ client: clients.dynamodb, tableName: resources.idempotencyTableName }),
      stream: await AwsTableStream.open(streams, resources.idempotencyStreamArn, 'TRIM_HORIZON'),
      dispose: async () => streams.destroy(),
    };
  });

  eventBusContract('EventBridgeEventBus on moto', () => eventBusSubject(moto.server));

  eventBusEntryFailureContract('EventBridgeEventBus on moto, entries failed by the fault injector', () => eventBusSubject(moto.server));
});

/**
 * The bus, and what the bootstrap's rule delivered to its SQS target. Entry failures are injected into
 * real PutEvents requests: the chosen entries are held back and answered with their ErrorCode.
 */
async function eventBusSubject(server: MotoServer): Promise<EventBusEntryFailureSubject> {
  const { clients, resources, faults } = await prepareMotoAccount(server);
  const seen: DeliveredEvent[] = [];
  return {
    bus: new EventBridgeEventBus({ client: clients.eventBridge, eventBusName: resources.eventBusName, clock: noWait }),
    source: 'orders.pipeline',
    delivered: async () => {
      const fresh = await readDeliveredEvents(clients.sqs, resources.eventsQueueUrl);
      seen.push(...fresh.map(({ source, detailType, detail }) => ({ eventId: String(detail.eventId), source, detailType, detail })));
      return [...seen];
    },
    failNextEntries: (count, errorCode) => {
      let remaining = count;
      faults.inject({
        service: 'eventbridge',
        operation: 'PutEvents',
        fault: { kind: 'putEventsEntries', errorCodeFor: () => (remaining-- > 0 ? errorCode : undefined) },
      });
    },
    deleteBus: () => deleteEventBus(clients, resources.eventBusName),
  };
}

async function deleteQueue(clients: AwsClients, queueUrl: string): Promise<void> {
  await clients.sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
}

/** DeleteEventBus's API reference asks for the bus's rules to be deleted first (moto does not insist). */
async function deleteEventBus(clients: AwsClients, eventBusName: string): Promise<void> {
  const { Rules = [] } = await clients.eventBridge.send(new ListRulesCommand({ EventBusName: eventBusName }));
  for (const { Name } of Rules) {
    const { Targets = [] } = await clients.eventBridge.send(new ListTargetsByRuleCommand({ Rule: Name, EventBusName: eventBusName }));
    if (Targets.length > 0) {
      await clients.eventBridge.send(
        new RemoveTargetsCommand({
          Rule: Name,
          EventBusName: eventBusName,
          Ids: Targets.flatMap(({ Id }) => (Id === undefined ? [] : [Id])),
        }),
      );
    }
    await clients.eventBridge.send(new DeleteRuleCommand({ Name, EventBusName: eventBusName }));
  }
  await clients.eventBridge.send(new DeleteEventBusCommand({ Name: eventBusName }));
}
