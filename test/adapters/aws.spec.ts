import { DynamoDbIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store.js';
import { SqsDeadLetterQueue } from '../../adapters/aws/sqs-dead-letter-queue.js';
import { SqsOrderQueue } from '../../adapters/aws/sqs-order-queue.js';
import { deadLetterQueueContract } from './contract/dead-letter-queue.contract.js';
import { idempotencyStoreContract } from './contract/idempotency-store.contract.js';
import { orderQueueContract } from './contract/order-queue.contract.js';
import { prepareMotoAccount, useMotoServer, MOTO_RESOURCE_NAMES } from '../support/moto.js';

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
    const { clients, resources } = await prepareMotoAccount(moto.server, { names: { ...MOTO_RESOURCE_NAMES, maxReceiveCount: MAX_RECEIVE_COUNT } });
    const queue = new SqsOrderQueue({ client: clients.sqs, queueUrl: resources.orderQueueUrl, clock: noWait });
    const deadLetters = new SqsDeadLetterQueue({ client: clients.sqs, queueUrl: resources.deadLetterQueueUrl, clock: noWait });
    return {
      queue,
      maxReceiveCount: MAX_RECEIVE_COUNT,
      receive: (max, visibilityTimeoutSeconds) => queue.receive(max, visibilityTimeoutSeconds),
      receiveDeadLetters: (max) => deadLetters.receive(max, 60),
      advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
  });

  deadLetterQueueContract('SqsDeadLetterQueue on moto', async () => {
    const { clients, resources } = await prepareMotoAccount(moto.server);
    return { deadLetterQueue: new SqsDeadLetterQueue({ client: clients.sqs, queueUrl: resources.deadLetterQueueUrl, clock: noWait }) };
  });

  idempotencyStoreContract('DynamoDbIdempotencyStore on moto', async () => {
    const { clients, resources } = await prepareMotoAccount(moto.server);
    return { store: new DynamoDbIdempotencyStore({ client: clients.dynamodb, tableName: resources.idempotencyTableName }) };
  });
});
