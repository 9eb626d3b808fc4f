import { expect } from 'chai';
import { DEFAULT_ENTRY_RETRY_POLICY } from '../../adapters/aws/entry-retry.js';
import { EventBridgeEventBus } from '../../adapters/aws/eventbridge-event-bus.js';
import { SqsOrderQueue } from '../../adapters/aws/sqs-order-queue.js';
import { prepareMotoAccount, type MotoAccount } from '../../tools/moto/moto.js';
import type { BatchEntry } from './aws-partial-failures.fixtures.js';
import { moto, messages, events, recordingSleep, sentEntry, sqsEntriesFailed } from './aws-partial-failures.fixtures.js';

describe('AWS adapters on moto: partial failures and call counts', () => {
  let account: MotoAccount;

  beforeEach(async () => {
    await moto.server.reset();
    account = await prepareMotoAccount(moto.server);
  });

  describe('Class: SqsOrderQueue', () => {
    describe('Method: send', () => {
      it('re-sends only the entries SQS failed on its side, waiting a full-jitter backoff before each re-send', async () => {
        // Prepare: the first request fails entries m1 and m3; the re-send reaches moto.
        account.faults.inject({
          service: 'sqs',
          operation: 'SendMessageBatch',
          times: 1,
          fault: sqsEntriesFailed((id) => id === 'm1' || id === 'm3'),
        });
        const wait = recordingSleep();
        const queue = new SqsOrderQueue({
          client: account.clients.sqs,
          queueUrl: account.resources.orderQueueUrl,
          clock: wait,
          random: { next: () => 0.5 },
        });

        // Act
        const result = await queue.send(messages(4));
        const received = await queue.receive(10, 30);

        // Assess
        expect(result.failed).to.deep.equal([]);
        expect(result.sent.map(({ id }) => id)).to.have.members(['m0', 'm1', 'm2', 'm3']);
        expect(account.sends.counts().sqs?.SendMessageBatch).to.equal(2);
        // Only the re-sent entries reached moto (the injected answer "sent" m0 and m2 without sending them).
        expect(received.map(({ attributes }) => attributes.orderId)).to.have.members(['order-1', 'order-3']);
        expect(wait.delays).to.deep.equal([DEFAULT_ENTRY_RETRY_POLICY.backoff.base * 0.5]);
      });

      it('gives up after the bounded number of re-sends and reports the entry TRANSIENT', async () => {
        account.faults.inject({ service: 'sqs', operation: 'SendMessageBatch', fault: sqsEntriesFailed((id) => id === 'm0') });
        const wait = recordingSleep();
        const queue = new SqsOrderQueue({
          client: account.clients.sqs,
          queueUrl: account.resources.orderQueueUrl,
          clock: wait,
          random: { next: () => 0.999 },
        });

        const result = await queue.send(messages(2));

        expect(result.sent.map(({ id }) => id)).to.deep.equal(['m1']);
        expect(result.failed).to.have.length(1);
        expect(result.failed[0]).to.include({ id: 'm0', category: 'TRANSIENT' });
        expect(account.sends.counts().sqs?.SendMessageBatch).to.equal(1 + DEFAULT_ENTRY_RETRY_POLICY.maxRetries);
        const { base, cap } = DEFAULT_ENTRY_RETRY_POLICY.backoff;
        wait.delays.forEach((delay, index) => expect(delay).to.be.within(0, Math.min(cap, base * 2 ** index)));
        expect(wait.delays).to.have.length(DEFAULT_ENTRY_RETRY_POLICY.maxRetries);
      });

      it('throws the raw SDK error when the first request fails and nothing was sent', async () => {
        account.faults.inject({ service: 'sqs', fault: { kind: 'http', statusCode: 400, errorCode: 'AccessDeniedException' } });
        const queue = new SqsOrderQueue({ client: account.clients.sqs, queueUrl: account.resources.orderQueueUrl });

        const error = await queue.send(messages(15)).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );

        expect(error).to.have.property('name', 'AccessDeniedException');
        expect(account.sends.counts().sqs?.SendMessageBatch).to.equal(1);
      });

      it('reports the rest failed, not thrown, when a later batch fails after one was sent', async () => {
        // Prepare: the first batch (10 entries) goes through; the second request is refused.
        let requests = 0;
        account.faults.inject({
          service: 'sqs',
          operation: 'SendMessageBatch',
          fault: {
            kind: 'reply',
            body: (input) => {
              requests += 1;
              return { Successful: (input.Entries as BatchEntry[]).map(sentEntry), Failed: [] };
            },
          },
          times: 1,
        });
        account.faults.inject({
          service: 'sqs',
          operation: 'SendMessageBatch',
          fault: { kind: 'http', statusCode: 400, errorCode: 'AccessDeniedException' },
        });
        const queue = new SqsOrderQueue({ client: account.clients.sqs, queueUrl: account.resources.orderQueueUrl });

        // Act
        const result = await queue.send(messages(15));

        // Assess
        expect(requests).to.equal(1);
        expect(result.sent).to.have.length(10);
        expect(result.failed.map(({ id }) => id)).to.deep.equal(['m10', 'm11', 'm12', 'm13', 'm14']);
        expect(new Set(result.failed.map(({ category, code }) => `${category} ${code}`))).to.deep.equal(
          new Set(['PERMANENT AWS.AccessDeniedException']),
        );
      });
    });

    describe('Method: changeVisibility', () => {
      it('throws a refused later call instead of passing it off as refused receipt handles: those messages were not held back', async () => {
        // Prepare: 15 received messages; the first ChangeMessageVisibilityBatch (10 entries) goes through, the second is refused.
        const queue = new SqsOrderQueue({ client: account.clients.sqs, queueUrl: account.resources.orderQueueUrl });
        await queue.send(messages(15));
        const received = await queue.receive(15, 30);
        expect(received).to.have.length(15);
        account.faults.inject({
          service: 'sqs',
          operation: 'ChangeMessageVisibilityBatch',
          fault: {
            kind: 'reply',
            body: (input) => ({ Successful: (input.Entries as { Id: string }[]).map(({ Id }) => ({ Id })), Failed: [] }),
          },
          times: 1,
        });
        account.faults.inject({
          service: 'sqs',
          operation: 'ChangeMessageVisibilityBatch',
          fault: { kind: 'http', statusCode: 400, errorCode: 'QueueDoesNotExist' },
        });

        // Act
        const error = await queue.changeVisibility(received.map((m) => ({ receiptHandle: m.receiptHandle, timeoutSeconds: 60 }))).then(
          () => undefined,
          (thrown: unknown) => thrown,
        );

        // Assess
        expect(error).to.have.property('name', 'QueueDoesNotExist');
        expect(account.sends.counts().sqs?.ChangeMessageVisibilityBatch).to.equal(2);
      });
    });

    describe('Method: receive', () => {
      it('reads ApproximateReceiveCount and SentTimestamp from every message', async () => {
        const queue = new SqsOrderQueue({ client: account.clients.sqs, queueUrl: account.resources.orderQueueUrl });
        const before = Date.now();
        await queue.send(messages(1));

        const [first] = await queue.receive(1, 0);
        const [second] = await queue.receive(1, 0);

        expect([first?.receiveCount, second?.receiveCount]).to.deep.equal([1, 2]);
        expect(first?.sentAt).to.be.within(before - 1_000, Date.now() + 1_000);
      });
    });
  });

  describe('Class: EventBridgeEventBus', () => {
    describe('Method: publish', () => {
      it('needs one PutEvents request per 10 events', async () => {
        const bus = new EventBridgeEventBus({ client: account.clients.eventBridge, eventBusName: account.resources.eventBusName });

        const result = await bus.publish(events(25));

        expect(result.published).to.have.length(25);
        expect(account.sends.counts().eventbridge).to.deep.equal({ PutEvents: 3 });
      });

      it('re-sends only the failed entries: one request with just them', async () => {
        const sentPerRequest: number[] = [];
        let failing = 2;
        account.faults.inject({
          service: 'eventbridge',
          operation: 'PutEvents',
          fault: {
            kind: 'putEventsEntries',
            errorCodeFor: () => (failing-- > 0 ? 'ThrottlingException' : undefined),
          },
        });
        const bus = new EventBridgeEventBus({
          client: account.clients.eventBridge,
          eventBusName: account.resources.eventBusName,
          clock: { sleep: async () => undefined },
        });
        account.clients.eventBridge.middlewareStack.add(
          (next) => async (args) => {
            sentPerRequest.push(((args.input as { Entries?: unknown[] }).Entries ?? []).length);
            return next(args);
          },
          { step: 'initialize', name: 'recordEntriesPerRequest' },
        );

        const result = await bus.publish(events(5));

        expect(result.failed).to.deep.equal([]);
        expect(sentPerRequest).to.deep.equal([5, 2]);
      });
    });
  });
});
