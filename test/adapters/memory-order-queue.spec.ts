import { expect } from 'chai';
import { MemoryOrderQueue } from '../../adapters/memory/memory-order-queue.js';
import { anOrderMessage } from './contract/contract-support.js';
import { aBrokerLosingItsQueueAfter, aBroker } from './memory.fixtures.js';

describe('Class: MemoryOrderQueue', () => {
  describe('Method: send', () => {
    it('reports an entry the broker refuses as a PERMANENT failure with the SQS code, and sends the others', async () => {
      const { sqs } = aBroker();
      const queue = new MemoryOrderQueue(sqs, 'orders');

      const result = await queue.send([anOrderMessage(1), anOrderMessage(2, { delaySeconds: 901 })]);

      expect(result.sent.map((entry) => entry.id)).to.deep.equal(['m1']);
      expect(result.failed).to.have.length(1);
      expect(result.failed[0]).to.include({ id: 'm2', category: 'PERMANENT', code: 'AWS.InvalidParameterValue' });
    });

    it('reports the messages left failed, not thrown, when the queue goes away after a first batch was sent', async () => {
      // Prepare: the queue is deleted right after the first SendMessageBatch call
      const queue = new MemoryOrderQueue(aBrokerLosingItsQueueAfter('sendMessageBatch'), 'orders');

      // Act
      const result = await queue.send(Array.from({ length: 12 }, (_, index) => anOrderMessage(index)));

      // Assess: as the SQS adapter settles a refusal once something was sent
      expect(result.sent).to.have.length(10);
      expect(result.failed.map((failure) => [failure.id, failure.category, failure.code])).to.deep.equal([
        ['m10', 'PERMANENT', 'AWS.QueueDoesNotExist'],
        ['m11', 'PERMANENT', 'AWS.QueueDoesNotExist'],
      ]);
    });

    it('splits a send into requests within the byte limit as well as the entry limit', async () => {
      const { sqs } = aBroker();
      const queue = new MemoryOrderQueue(sqs, 'orders');
      const big = (index: number): ReturnType<typeof anOrderMessage> => anOrderMessage(index, { body: 'x'.repeat(400_000) });

      const result = await queue.send([big(1), big(2), big(3), big(4)]);

      expect(result.failed).to.deep.equal([]);
      expect(sqs.stats('orders').visible).to.equal(4);
    });
  });

  describe('Method: changeVisibility', () => {
    it('throws the refusal when the queue goes away after a first group was changed, as the SQS adapter does', async () => {
      // Prepare: the queue is deleted right after the first ChangeMessageVisibilityBatch call
      const queue = new MemoryOrderQueue(aBrokerLosingItsQueueAfter('changeMessageVisibilityBatch'), 'orders');
      await queue.send(Array.from({ length: 12 }, (_, index) => anOrderMessage(index)));
      const received = await queue.receive(12, 30);

      // Act
      const error = await queue.changeVisibility(received.map((m) => ({ receiptHandle: m.receiptHandle, timeoutSeconds: 60 }))).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

      // Assess
      expect(error).to.have.property('name', 'QueueDoesNotExist');
    });

    it('ignores the stale handle of a message received again since, leaving it with its new owner', async () => {
      const { sqs, clock } = aBroker(5);
      const queue = new MemoryOrderQueue(sqs, 'orders');
      await queue.send([anOrderMessage(1)]);
      const [first] = await queue.receive(1, 30);
      await clock.advance(30_000);
      await queue.receive(1, 30);

      await queue.changeVisibility([{ receiptHandle: first?.receiptHandle ?? '', timeoutSeconds: 0 }]);

      expect(sqs.stats('orders')).to.deep.equal({ visible: 0, inFlight: 1, delayed: 0 });
    });

    it('changes more than ten messages at once', async () => {
      const { sqs } = aBroker(5);
      const queue = new MemoryOrderQueue(sqs, 'orders');
      await queue.send(Array.from({ length: 13 }, (_, index) => anOrderMessage(index)));
      const received = await queue.receive(13, 30);

      await queue.changeVisibility(received.map((message) => ({ receiptHandle: message.receiptHandle, timeoutSeconds: 0 })));

      expect(sqs.stats('orders').visible).to.equal(13);
    });
  });
});
