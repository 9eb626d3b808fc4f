import { expect } from 'chai';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store.js';
import { EventBridgeEventBus } from '../../adapters/aws/eventbridge-event-bus.js';
import { createAwsClients } from '../../adapters/aws/clients.js';
import type { Fault } from '../../tools/aws/fault-injector.js';
import { SqsDeadLetterQueue } from '../../adapters/aws/sqs-dead-letter-queue.js';
import { SqsOrderQueue } from '../../adapters/aws/sqs-order-queue.js';
import { classifyError } from '../../domain/error-classifier.js';
import { prepareMotoAccount, startMotoServer, type MotoAccount } from '../../tools/moto/moto.js';
import { moto, NOW, event, message, thrownBy, classified, createPolicylessUser } from './aws-errors.fixtures.js';

describe('Function: classifyError, on errors the AWS SDK raised from real responses', () => {
  let account: MotoAccount;
  const adapters = (target = account) => ({
    orders: new SqsOrderQueue({ client: target.clients.sqs, queueUrl: target.resources.orderQueueUrl }),
    deadLetters: new SqsDeadLetterQueue({ client: target.clients.sqs, queueUrl: target.resources.deadLetterQueueUrl }),
    store: new DynamoDbIdempotencyStore({ client: target.clients.dynamodb, tableName: target.resources.idempotencyTableName }),
    bus: new EventBridgeEventBus({ client: target.clients.eventBridge, eventBusName: target.resources.eventBusName }),
  });

  beforeEach(async () => {
    await moto.server.reset();
    account = await prepareMotoAccount(moto.server, { maxAttempts: 2 });
  });

  describe('missing resources', () => {
    it('returns PERMANENT for a queue that does not exist', async () => {
      // Prepare
      const queue = new SqsOrderQueue({ client: account.clients.sqs, queueUrl: `${moto.server.endpoint}/123456789012/no-such-queue` });

      // Act
      const result = await classified(() => queue.send([message]));

      // Assess
      expect(result).to.include({ name: 'QueueDoesNotExist', category: 'PERMANENT', code: 'AWS.QueueDoesNotExist' });
      expect(account.calls.counts().sqs).to.deep.equal({ SendMessageBatch: 1 });
    });

    it('returns PERMANENT for a table that does not exist', async () => {
      const store = new DynamoDbIdempotencyStore({ client: account.clients.dynamodb, tableName: 'no-such-table' });

      const result = await classified(() => store.get('key-1', NOW));

      expect(result).to.include({ name: 'ResourceNotFoundException', category: 'PERMANENT' });
    });

    it('returns PERMANENT for an event bus that does not exist', async () => {
      const bus = new EventBridgeEventBus({ client: account.clients.eventBridge, eventBusName: 'no-such-bus' });

      const result = await classified(() => bus.publish([event]));

      expect(result).to.include({ name: 'ResourceNotFoundException', category: 'PERMANENT' });
    });
  });

  describe('validation', () => {
    it('returns PERMANENT for a key DynamoDB refuses (empty string)', async () => {
      const result = await classified(() => adapters().store.get('', NOW));

      expect(result).to.include({ name: 'ValidationException', category: 'PERMANENT', code: 'AWS.ValidationException' });
    });

    it('returns PERMANENT for a receive SQS refuses (visibility timeout over 12 h)', async () => {
      const result = await classified(() => adapters().deadLetters.receive(1, 43_201));

      expect(result.category).to.equal('PERMANENT');
      expect(result.code).to.match(/^AWS\.Invalid/);
    });

    it('reports an entry SQS refuses (DelaySeconds over 900) as a PERMANENT failure and sends the rest', async () => {
      const result = await adapters().orders.send([message, { ...message, id: 'm2', delaySeconds: 901 }]);

      expect(result.sent.map(({ id }) => id)).to.deep.equal(['m1']);
      expect(result.failed).to.have.length(1);
      expect(result.failed[0]).to.include({ id: 'm2', category: 'PERMANENT', code: 'AWS.InvalidParameterValue' });
      // A sender fault is never re-sent.
      expect(account.calls.counts().sqs).to.deep.equal({ SendMessageBatch: 1 });
    });

    it('reports an entry EventBridge refuses (MalformedDetail) as PERMANENT without re-sending it', async () => {
      account.faults.inject({
        service: 'eventbridge',
        operation: 'PutEvents',
        times: 1,
        fault: {
          kind: 'reply',
          body: () => ({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }] }),
        },
      });

      const result = await adapters().bus.publish([event]);

      expect(result.published).to.deep.equal([]);
      expect(result.failed).to.deep.equal([{ event, code: 'AWS.MalformedDetail', category: 'PERMANENT' }]);
      expect(account.calls.counts().eventbridge).to.deep.equal({ PutEvents: 1 });
    });
  });

  describe('throttling and server errors (injected responses, parsed by the SDK)', () => {
    const cases: readonly {
      readonly service: string;
      readonly fault: Fault;
      readonly throttling: boolean;
      readonly act: (a: ReturnType<typeof adapters>) => Promise<unknown>;
    }[] = [
      {
        service: 'dynamodb',
        fault: { kind: 'http', statusCode: 400, errorCode: 'ProvisionedThroughputExceededException' },
        throttling: true,
        act: (a) => a.store.get('k', NOW),
      },
      {
        service: 'dynamodb',
        fault: { kind: 'http', statusCode: 400, errorCode: 'ThrottlingException' },
        throttling: true,
        act: (a) => a.store.get('k', NOW),
      },
      {
        service: 'sqs',
        fault: { kind: 'http', statusCode: 400, errorCode: 'RequestThrottled' },
        throttling: true,
        act: (a) => a.orders.send([message]),
      },
      {
        service: 'eventbridge',
        fault: { kind: 'http', statusCode: 400, errorCode: 'ThrottlingException' },
        throttling: true,
        act: (a) => a.bus.publish([event]),
      },
      {
        service: 'dynamodb',
        fault: { kind: 'http', statusCode: 500, errorCode: 'InternalServerError' },
        throttling: false,
        act: (a) => a.store.get('k', NOW),
      },
      {
        service: 'sqs',
        fault: { kind: 'http', statusCode: 503, errorCode: 'ServiceUnavailable' },
        throttling: false,
        act: (a) => a.orders.send([message]),
      },
      {
        service: 'eventbridge',
        fault: { kind: 'http', statusCode: 500, errorCode: 'InternalException' },
        throttling: false,
        act: (a) => a.bus.publish([event]),
      },
      {
        service: 'eventbridge',
        fault: { kind: 'http', statusCode: 502, errorCode: 'BadGateway' },
        throttling: false,
        act: (a) => a.bus.publish([event]),
      },
    ];
    for (const { service, fault, throttling, act } of cases) {
      const label = fault.kind === 'http' ? `${fault.statusCode} ${fault.errorCode}` : fault.kind;
      it(`returns TRANSIENT for ${service} ${label}, after the SDK's own retry`, async () => {
        account.faults.inject({ service, fault });

        const result = await classified(() => act(adapters()));

        expect(result).to.include({ category: 'TRANSIENT', throttling, sdkAttempts: 2 });
        // One layer retries: the SDK made its two attempts, the adapter none on top.
        expect(account.calls.total(service)).to.equal(2);
      });
    }

    it('returns PERMANENT for an AccessDeniedException', async () => {
      account.faults.inject({ service: 'dynamodb', fault: { kind: 'http', statusCode: 400, errorCode: 'AccessDeniedException' } });

      const result = await classified(() => adapters().store.get('k', NOW));

      expect(result).to.include({ name: 'AccessDeniedException', category: 'PERMANENT', code: 'AWS.AccessDeniedException' });
      expect(account.calls.total('dynamodb')).to.equal(1);
    });

    it('re-sends only the entries SQS failed on its side, then reports them sent', async () => {
      account.faults.inject({
        service: 'sqs',
        operation: 'SendMessageBatch',
        times: 1,
        fault: {
          kind: 'reply',
          body: (input) => ({
            Successful: [],
            Failed: (input.Entries as { Id: string }[]).map(({ Id }) => ({
              Id,
              SenderFault: false,
              Code: 'InternalError',
              Message: 'try again',
            })),
          }),
        },
      });
      const orders = new SqsOrderQueue({
        client: account.clients.sqs,
        queueUrl: account.resources.orderQueueUrl,
        clock: { sleep: async () => undefined },
      });

      const result = await orders.send([message, { ...message, id: 'm2' }]);

      expect(result.failed).to.deep.equal([]);
      expect(result.sent.map(({ id }) => id)).to.have.members(['m1', 'm2']);
      expect(account.calls.counts().sqs).to.deep.equal({ SendMessageBatch: 2 });
    });
  });

  describe('access denied by moto enforcing IAM', () => {
    it('returns PERMANENT for a caller whose user has no policy', async function () {
      this.timeout(30_000);
      // Prepare: a second server that authorises only the two calls creating the user and its key.
      const iamServer = await startMotoServer({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '2' } });
      try {
        const credentials = await createPolicylessUser(iamServer.endpoint);
        const clients = createAwsClients({ endpoint: iamServer.endpoint, maxAttempts: 1, credentials });
        const denied = new SqsOrderQueue({ client: clients.sqs, queueUrl: `${iamServer.endpoint}/123456789012/orders` });

        // Act
        const error = await thrownBy(() => denied.send([message]));

        // Assess: moto answers 403 with an XML AccessDenied body that the JSON protocol cannot parse, so the
        // SDK raises a deserialization error; the HTTP status still makes it PERMANENT.
        expect(error).to.have.nested.property('$metadata.httpStatusCode', 403);
        expect(classifyError(error)).to.include({ category: 'PERMANENT' });
      } finally {
        await iamServer.stop();
      }
    });
  });
});
