import { expect } from 'chai';
import fc from 'fast-check';
import { START, aBroker, thrownBy, sqsErrorCode } from './memory.fixtures.js';

describe('Class: InMemorySqs', () => {
  describe('Method: receiveMessages', () => {
    it('refuses MaxNumberOfMessages outside 1–10', () => {
      const { sqs } = aBroker();

      expect(sqsErrorCode(() => sqs.receiveMessages('orders', { maxMessages: 0 }))).to.equal('InvalidParameterValue');
      expect(sqsErrorCode(() => sqs.receiveMessages('orders', { maxMessages: 11 }))).to.equal('InvalidParameterValue');
    });

    it('hides a message for exactly the visibility timeout, then delivers it again with the next receive count', async () => {
      const { sqs, clock } = aBroker(5);
      sqs.sendMessage('orders', { body: 'b' });
      sqs.receiveMessages('orders', { visibilityTimeoutSeconds: 30 });

      await clock.advance(29_999);
      const tooEarly = sqs.receiveMessages('orders');
      await clock.advance(1);
      const again = sqs.receiveMessages('orders');

      expect(tooEarly).to.deep.equal([]);
      expect(again.map((message) => message.receiveCount)).to.deep.equal([2]);
    });

    it('uses the queue visibility timeout when the receive does not set one', async () => {
      const { sqs, clock } = aBroker(5);
      sqs.sendMessage('orders', { body: 'b' });
      sqs.receiveMessages('orders');

      await clock.advance(29_000);
      expect(sqs.stats('orders')).to.deep.equal({ visible: 0, inFlight: 1, delayed: 0 });
      await clock.advance(1_000);
      expect(sqs.stats('orders')).to.deep.equal({ visible: 1, inFlight: 0, delayed: 0 });
    });

    it('keeps a delayed message invisible until its delay passed, the queue default included', async () => {
      const { sqs, clock } = aBroker();
      sqs.createQueue('slow', { visibilityTimeoutSeconds: 30, delaySeconds: 10 });
      sqs.sendMessage('slow', { body: 'queue default' });
      sqs.sendMessage('slow', { body: 'own delay', delaySeconds: 20 });
      sqs.sendMessage('slow', { body: 'no delay', delaySeconds: 0 });

      const atOnce = sqs.receiveMessages('slow', { maxMessages: 10 });
      await clock.advance(10_000);
      const after10s = sqs.receiveMessages('slow', { maxMessages: 10 });
      expect(sqs.stats('slow')).to.deep.equal({ visible: 0, inFlight: 2, delayed: 1 });
      await clock.advance(10_000);
      const after20s = sqs.receiveMessages('slow', { maxMessages: 10 });

      expect(atOnce.map((message) => message.body)).to.deep.equal(['no delay']);
      expect(after10s.map((message) => message.body)).to.deep.equal(['queue default']);
      expect(after20s.map((message) => message.body)).to.deep.equal(['own delay']);
    });

    it('moves a message to the DLQ on the receive after the count reached maxReceiveCount, not before', async () => {
      // Prepare
      const { sqs, clock } = aBroker(3);
      const messageId = sqs.sendMessage('orders', { body: 'poison', attributes: { correlationId: 'corr-1' } });
      for (let receive = 1; receive <= 3; receive += 1) {
        expect(sqs.receiveMessages('orders').map((message) => message.receiveCount)).to.deep.equal([receive]);
        await clock.advance(30_000);
      }
      const waitingInSource = sqs.stats('orders');

      // Act
      const fourth = sqs.receiveMessages('orders');

      // Assess
      expect(waitingInSource.visible).to.equal(1);
      expect(fourth).to.deep.equal([]);
      expect(sqs.stats('orders')).to.deep.equal({ visible: 0, inFlight: 0, delayed: 0 });
      const [parked] = sqs.peekAll('orders-dlq');
      expect(parked).to.deep.include({
        messageId,
        body: 'poison',
        attributes: { correlationId: 'corr-1' },
        receiveCount: 3,
        sentAt: START,
        state: 'VISIBLE',
      });
    });

    it('delivers the other messages of the same receive while it moves one to the DLQ', async () => {
      const { sqs } = aBroker(1);
      sqs.sendMessage('orders', { body: 'first' });
      sqs.receiveMessages('orders', { visibilityTimeoutSeconds: 0 });
      sqs.sendMessage('orders', { body: 'second' });

      const received = sqs.receiveMessages('orders', { maxMessages: 10 });

      expect(received.map((message) => message.body)).to.deep.equal(['second']);
      expect(sqs.peekAll('orders-dlq').map((message) => message.body)).to.deep.equal(['first']);
    });

    it('never loses a message nor delivers one more than maxReceiveCount times (property)', async () => {
      type Step = { kind: 'receive'; max: number; visibility: number } | { kind: 'advance'; ms: number } | { kind: 'delete'; pick: number };
      const step = fc.oneof(
        fc.record({
          kind: fc.constant('receive' as const),
          max: fc.integer({ min: 1, max: 10 }),
          visibility: fc.integer({ min: 0, max: 5 }),
        }),
        fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 6_000 }) }),
        fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 12 }),
          fc.array(step, { maxLength: 40 }),
          async (maxReceiveCount, sent, steps: Step[]) => {
            const { sqs, clock } = aBroker(maxReceiveCount);
            for (let index = 0; index < sent; index += 1) sqs.sendMessage('orders', { body: `m${index}` });
            const deleted = new Set<string>();
            let inHand: { messageId: string; receiptHandle: string }[] = [];
            for (const current of steps) {
              if (current.kind === 'advance') await clock.advance(current.ms);
              else if (current.kind === 'receive') {
                const received = sqs.receiveMessages('orders', { maxMessages: current.max, visibilityTimeoutSeconds: current.visibility });
                for (const message of received) expect(message.receiveCount).to.be.at.most(maxReceiveCount);
                inHand = received;
              } else {
                const chosen = inHand[current.pick % Math.max(inHand.length, 1)];
                if (chosen !== undefined && thrownBy(() => sqs.deleteMessage('orders', chosen.receiptHandle)) === undefined)
                  deleted.add(chosen.messageId);
              }
            }
            const remaining = [...sqs.peekAll('orders'), ...sqs.peekAll('orders-dlq')].map((message) => message.messageId);
            expect(remaining.length + deleted.size).to.equal(sent);
            expect(new Set([...remaining, ...deleted]).size).to.equal(sent);
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  describe('Method: deleteMessage', () => {
    it('refuses the receipt handle of an earlier receive once the message was received again', async () => {
      // Prepare
      const { sqs, clock } = aBroker(5);
      sqs.sendMessage('orders', { body: 'b' });
      const [first] = sqs.receiveMessages('orders');
      await clock.advance(30_000);
      const [second] = sqs.receiveMessages('orders');

      // Act
      const stale = sqsErrorCode(() => sqs.deleteMessage('orders', first?.receiptHandle ?? ''));
      const staleVisibility = sqsErrorCode(() => sqs.changeMessageVisibility('orders', first?.receiptHandle ?? '', 0));
      sqs.deleteMessage('orders', second?.receiptHandle ?? '');

      // Assess
      expect(first?.receiptHandle).to.not.equal(second?.receiptHandle);
      expect(stale).to.equal('ReceiptHandleIsInvalid');
      expect(staleVisibility).to.equal('ReceiptHandleIsInvalid');
      expect(sqs.peekAll('orders')).to.deep.equal([]);
    });

    it('accepts the current handle twice (SQS deletes are idempotent) and refuses an unknown one', () => {
      const { sqs } = aBroker();
      sqs.sendMessage('orders', { body: 'b' });
      const [message] = sqs.receiveMessages('orders');

      sqs.deleteMessage('orders', message?.receiptHandle ?? '');
      const second = thrownBy(() => sqs.deleteMessage('orders', message?.receiptHandle ?? ''));

      expect(second).to.equal(undefined);
      expect(sqsErrorCode(() => sqs.deleteMessage('orders', 'made-up'))).to.equal('ReceiptHandleIsInvalid');
    });

    it('reports each refused handle of a batch delete in Failed and deletes the rest', () => {
      const { sqs } = aBroker();
      sqs.sendMessage('orders', { body: 'b' });
      const [message] = sqs.receiveMessages('orders');

      const result = sqs.deleteMessageBatch('orders', [
        { id: 'good', receiptHandle: message?.receiptHandle ?? '' },
        { id: 'bad', receiptHandle: 'made-up' },
      ]);

      expect(result.successful).to.deep.equal(['good']);
      expect(result.failed.map((failure) => [failure.id, failure.code, failure.senderFault])).to.deep.equal([
        ['bad', 'ReceiptHandleIsInvalid', true],
      ]);
    });
  });

  describe('Method: changeMessageVisibility', () => {
    it('refuses a timeout outside 0–43 200 and one reaching past 12 hours after the first receive', async () => {
      const { sqs, clock } = aBroker(5);
      sqs.sendMessage('orders', { body: 'b' });
      const [message] = sqs.receiveMessages('orders', { visibilityTimeoutSeconds: 43_200 });
      const handle = message?.receiptHandle ?? '';

      expect(sqsErrorCode(() => sqs.changeMessageVisibility('orders', handle, 43_201))).to.equal('InvalidParameterValue');
      expect(sqsErrorCode(() => sqs.changeMessageVisibility('orders', handle, -1))).to.equal('InvalidParameterValue');
      await clock.advance(60_000);
      expect(sqsErrorCode(() => sqs.changeMessageVisibility('orders', handle, 43_200))).to.equal('InvalidParameterValue');
      expect(thrownBy(() => sqs.changeMessageVisibility('orders', handle, 43_140))).to.equal(undefined);
    });

    it('holds a message back from now for the new timeout', async () => {
      const { sqs, clock } = aBroker(5);
      sqs.sendMessage('orders', { body: 'b' });
      const [message] = sqs.receiveMessages('orders', { visibilityTimeoutSeconds: 5 });

      sqs.changeMessageVisibility('orders', message?.receiptHandle ?? '', 120);
      await clock.advance(119_000);
      const tooEarly = sqs.receiveMessages('orders');
      await clock.advance(1_000);

      expect(tooEarly).to.deep.equal([]);
      expect(sqs.receiveMessages('orders')).to.have.length(1);
    });
  });

  describe('Method: deleteQueue', () => {
    it('refuses every later call on the queue with QueueDoesNotExist, and a second delete too', () => {
      const { sqs } = aBroker();

      sqs.deleteQueue('orders');

      expect(sqs.hasQueue('orders')).to.equal(false);
      expect(sqsErrorCode(() => sqs.receiveMessages('orders'))).to.equal('QueueDoesNotExist');
      expect(sqsErrorCode(() => sqs.deleteQueue('orders'))).to.equal('QueueDoesNotExist');
    });

    it('leaves the messages of a queue whose dead-letter queue was deleted in that queue, delivered again', async () => {
      const { sqs } = aBroker(1);
      sqs.sendMessage('orders', { body: 'b' });
      sqs.receiveMessages('orders', { visibilityTimeoutSeconds: 0 });

      sqs.deleteQueue('orders-dlq');
      const again = sqs.receiveMessages('orders', { visibilityTimeoutSeconds: 0 });

      expect(again.map((message) => message.receiveCount)).to.deep.equal([2]);
    });
  });
});
