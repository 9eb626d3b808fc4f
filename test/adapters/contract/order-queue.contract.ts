import { expect } from 'chai';
import type { OrderQueue } from '../../../application/ports/order-queue.js';
import type { QueueMessage } from '../../../application/ports/queue-message.js';
import { anOrderMessage, anOversizedBody, freshSubjectPerTest, refusalOf, type Disposable } from './contract-support.js';

export interface OrderQueueContractSubject extends Disposable {
  /** A queue made for this test, with a redrive policy to its own dead-letter queue. */
  readonly queue: OrderQueue;
  /** The queue's redrive maxReceiveCount (keep it small, e.g. 2). */
  readonly maxReceiveCount: number;
  /** Receives from the queue under test, with every message attribute, as the Lambda event source does. */
  receive(max: number, visibilityTimeoutSeconds: number): Promise<readonly QueueMessage[]>;
  /** Receives from the dead-letter queue the redrive policy moves messages to. */
  receiveDeadLetters(max: number): Promise<readonly QueueMessage[]>;
  /** Lets `ms` pass: a fake moves its manual clock, an emulator really waits. */
  advance(ms: number): Promise<void>;
  /** Deletes the queue under test (DeleteQueue), leaving its dead-letter queue. */
  deleteQueue(): Promise<void>;
}

const HIDDEN_SECONDS = 60;
const QUEUE_DOES_NOT_EXIST = { category: 'PERMANENT', code: 'AWS.QueueDoesNotExist' } as const;

/** The semantics every OrderQueue adapter shares with SQS (and that the worker and the harness rely on). */
export function orderQueueContract(name: string, makeSubject: () => Promise<OrderQueueContractSubject>): void {
  describe(`Contract: OrderQueue (${name})`, () => {
    const subject = freshSubjectPerTest(makeSubject);

    describe('Method: send', () => {
      it('delivers each message once with its body, attributes, message id and a receive count of 1', async () => {
        // Prepare
        const messages = [anOrderMessage(1), anOrderMessage(2), anOrderMessage(3)];

        // Act
        const result = await subject().queue.send(messages);
        const received = await subject().receive(10, HIDDEN_SECONDS);

        // Assess
        expect(result.failed).to.deep.equal([]);
        expect(result.sent.map((entry) => entry.id)).to.have.members(messages.map((message) => message.id));
        expect(received).to.have.length(3);
        for (const message of messages) {
          const messageId = result.sent.find((entry) => entry.id === message.id)?.messageId;
          const delivered = received.find((candidate) => candidate.messageId === messageId);
          expect(delivered, `message ${message.id}`).to.not.equal(undefined);
          expect(delivered?.body).to.equal(message.body);
          expect(delivered?.attributes).to.deep.equal(message.attributes);
          expect(delivered?.receiveCount).to.equal(1);
        }
      });

      it('sends more messages than one batch holds, each exactly once', async () => {
        const messages = Array.from({ length: 25 }, (_, index) => anOrderMessage(index));

        const result = await subject().queue.send(messages);
        const received = await subject().receive(25, HIDDEN_SECONDS);

        expect(result.sent).to.have.length(25);
        expect(new Set(received.map((message) => message.body)).size).to.equal(25);
        expect(await subject().receive(10, HIDDEN_SECONDS)).to.deep.equal([]);
      });

      it('reports a message over the size limit as a VALIDATION failure and still sends the others', async () => {
        const oversized = anOrderMessage(2, { body: anOversizedBody() });

        const result = await subject().queue.send([anOrderMessage(1), oversized, anOrderMessage(3)]);

        expect(result.sent.map((entry) => entry.id)).to.have.members(['m1', 'm3']);
        expect(result.failed).to.have.length(1);
        expect(result.failed[0]).to.include({ id: 'm2', category: 'VALIDATION' });
        expect(await subject().receive(10, HIDDEN_SECONDS)).to.have.length(2);
      });

      it('answers an empty send with two empty lists', async () => {
        expect(await subject().queue.send([])).to.deep.equal({ sent: [], failed: [] });
      });

      it('holds a message sent with delaySeconds back until the delay has passed', async () => {
        await subject().queue.send([anOrderMessage(1, { delaySeconds: 1 })]);

        const during = await subject().receive(10, HIDDEN_SECONDS);
        await subject().advance(1_500);
        const after = await subject().receive(10, HIDDEN_SECONDS);

        expect(during).to.deep.equal([]);
        expect(after.map((message) => message.attributes.orderId)).to.deep.equal(['order-0001']);
      });
    });

    describe('Method: changeVisibility', () => {
      it('makes a received message visible again at once when set to 0, counting the next receive', async () => {
        await subject().queue.send([anOrderMessage(1)]);
        const [first] = await subject().receive(1, HIDDEN_SECONDS);

        await subject().queue.changeVisibility([{ receiptHandle: first?.receiptHandle ?? '', timeoutSeconds: 0 }]);
        const again = await subject().receive(1, HIDDEN_SECONDS);

        expect(again.map((message) => message.messageId)).to.deep.equal([first?.messageId]);
        expect(again[0]?.receiveCount).to.equal(2);
      });

      it('keeps a received message hidden for the new timeout instead of the receive timeout', async () => {
        await subject().queue.send([anOrderMessage(1)]);
        const [first] = await subject().receive(1, 1);

        await subject().queue.changeVisibility([{ receiptHandle: first?.receiptHandle ?? '', timeoutSeconds: HIDDEN_SECONDS }]);
        await subject().advance(1_500);

        expect(await subject().receive(10, HIDDEN_SECONDS)).to.deep.equal([]);
      });

      it('resolves when the queue refuses a receipt handle: that message is not ours to hold back', async () => {
        await subject().queue.send([anOrderMessage(1)]);
        const [held] = await subject().receive(1, 0);

        await subject().queue.changeVisibility([
          { receiptHandle: 'not-a-receipt-handle', timeoutSeconds: HIDDEN_SECONDS },
          { receiptHandle: held?.receiptHandle ?? '', timeoutSeconds: HIDDEN_SECONDS },
        ]);

        expect(await subject().receive(10, HIDDEN_SECONDS)).to.deep.equal([]);
      });
    });

    describe('Visibility and redrive', () => {
      it('hides a received message for its visibility timeout', async () => {
        await subject().queue.send([anOrderMessage(1)]);

        const first = await subject().receive(10, HIDDEN_SECONDS);
        const second = await subject().receive(10, HIDDEN_SECONDS);

        expect(first).to.have.length(1);
        expect(second).to.deep.equal([]);
      });

      it('moves a message received maxReceiveCount times to the dead-letter queue on the next receive, intact', async () => {
        // Prepare
        const message = anOrderMessage(1);
        const { sent } = await subject().queue.send([message]);
        const counts: number[] = [];
        for (let receive = 0; receive < subject().maxReceiveCount; receive += 1) {
          const [delivered] = await subject().receive(1, 0);
          counts.push(delivered?.receiveCount ?? 0);
        }

        // Act
        const afterLimit = await subject().receive(10, HIDDEN_SECONDS);
        const deadLetters = await subject().receiveDeadLetters(10);

        // Assess
        expect(counts).to.deep.equal(Array.from({ length: subject().maxReceiveCount }, (_, index) => index + 1));
        expect(afterLimit).to.deep.equal([]);
        expect(deadLetters).to.have.length(1);
        expect(deadLetters[0]?.messageId).to.equal(sent[0]?.messageId);
        expect(deadLetters[0]?.body).to.equal(message.body);
        expect(deadLetters[0]?.attributes).to.deep.equal(message.attributes);
      });
    });

    /*
     * SQS refuses every call on a queue that does not exist with QueueDoesNotExist (moto 5.2 too, checked
     * for SendMessageBatch, ReceiveMessage and ChangeMessageVisibilityBatch). The adapters throw it rather
     * than report each message failed, so a caller takes the same path on every backend. moto forgets a
     * deleted queue at once; SQS may go on answering for up to 60 s after DeleteQueue.
     */
    describe('Deleted queue', () => {
      it('refuses a send: thrown, PERMANENT, AWS.QueueDoesNotExist', async () => {
        await subject().deleteQueue();

        expect(await refusalOf(() => subject().queue.send([anOrderMessage(1), anOrderMessage(2)]))).to.deep.equal(QUEUE_DOES_NOT_EXIST);
      });

      it('refuses a receive the same way', async () => {
        await subject().deleteQueue();

        expect(await refusalOf(() => subject().receive(10, HIDDEN_SECONDS))).to.deep.equal(QUEUE_DOES_NOT_EXIST);
      });

      it('refuses to change the visibility of a message received before the queue was deleted', async () => {
        await subject().queue.send([anOrderMessage(1)]);
        const [held] = await subject().receive(1, HIDDEN_SECONDS);
        await subject().deleteQueue();

        const refusal = await refusalOf(() =>
          subject().queue.changeVisibility([{ receiptHandle: held?.receiptHandle ?? '', timeoutSeconds: 0 }]),
        );

        expect(held).to.not.equal(undefined);
        expect(refusal).to.deep.equal(QUEUE_DOES_NOT_EXIST);
      });

      it('still reports an oversized message as a VALIDATION failure: it is never sent, so nothing is refused', async () => {
        await subject().deleteQueue();

        const result = await subject().queue.send([anOrderMessage(1, { body: anOversizedBody() })]);

        expect(result.sent).to.deep.equal([]);
        expect(result.failed.map((failure) => [failure.id, failure.category])).to.deep.equal([['m1', 'VALIDATION']]);
      });
    });
  });
}
