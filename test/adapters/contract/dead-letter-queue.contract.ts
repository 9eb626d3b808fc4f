import { expect } from 'chai';
import type { DeadLetterQueue } from '../../../application/ports/dead-letter-queue.js';
import { anOrderMessage, anOversizedBody, freshSubjectPerTest, refusalOf, type Disposable } from './contract-support.js';

export interface DeadLetterQueueContractSubject extends Disposable {
  /** A queue made for this test. */
  readonly deadLetterQueue: DeadLetterQueue;
  /** Deletes the queue under test (DeleteQueue). */
  deleteQueue(): Promise<void>;
}

const HIDDEN_SECONDS = 60;
const QUEUE_DOES_NOT_EXIST = { category: 'PERMANENT', code: 'AWS.QueueDoesNotExist' } as const;

/** The semantics every DeadLetterQueue adapter shares with SQS (and that the redrive relies on). */
export function deadLetterQueueContract(name: string, makeSubject: () => Promise<DeadLetterQueueContractSubject>): void {
  describe(`Contract: DeadLetterQueue (${name})`, () => {
    const subject = freshSubjectPerTest(makeSubject);
    const dlq = (): DeadLetterQueue => subject().deadLetterQueue;

    describe('Method: send', () => {
      it('parks messages that are then received with their body, attributes and message id', async () => {
        const messages = [anOrderMessage(1), anOrderMessage(2)];

        const result = await dlq().send(messages);
        const received = await dlq().receive(10, HIDDEN_SECONDS);

        expect(result.failed).to.deep.equal([]);
        expect(received.map((message) => message.messageId)).to.have.members(result.sent.map((entry) => entry.messageId));
        expect(received.map((message) => message.body)).to.have.members(messages.map((message) => message.body));
        expect(received.map((message) => message.attributes)).to.have.deep.members(messages.map((message) => message.attributes));
        expect(received.every((message) => message.receiveCount === 1)).to.equal(true);
      });

      it('reports a message over the size limit as a VALIDATION failure and parks the others', async () => {
        const result = await dlq().send([anOrderMessage(1, { body: anOversizedBody() }), anOrderMessage(2)]);

        expect(result.failed.map((failure) => [failure.id, failure.category])).to.deep.equal([['m1', 'VALIDATION']]);
        expect(result.sent.map((entry) => entry.id)).to.deep.equal(['m2']);
      });
    });

    describe('Method: receive', () => {
      it('pages past the 10-per-call limit of the service', async () => {
        await dlq().send(Array.from({ length: 25 }, (_, index) => anOrderMessage(index)));

        const received = await dlq().receive(25, HIDDEN_SECONDS);

        expect(new Set(received.map((message) => message.messageId)).size).to.equal(25);
      });

      it('returns at most `max` messages and leaves the rest for the next receive', async () => {
        await dlq().send(Array.from({ length: 15 }, (_, index) => anOrderMessage(index)));

        const first = await dlq().receive(12, HIDDEN_SECONDS);
        const rest = await dlq().receive(12, HIDDEN_SECONDS);

        expect(first).to.have.length(12);
        expect(rest).to.have.length(3);
        expect(new Set([...first, ...rest].map((message) => message.messageId)).size).to.equal(15);
      });

      it('returns nothing from an empty queue', async () => {
        expect(await dlq().receive(10, HIDDEN_SECONDS)).to.deep.equal([]);
      });

      it('hides what it received for the visibility timeout', async () => {
        await dlq().send([anOrderMessage(1)]);

        await dlq().receive(10, HIDDEN_SECONDS);

        expect(await dlq().receive(10, HIDDEN_SECONDS)).to.deep.equal([]);
      });

      it('with a visibility timeout of 0 leaves the message visible, and counts each receive', async () => {
        await dlq().send([anOrderMessage(1)]);

        const first = await dlq().receive(1, 0);
        const second = await dlq().receive(1, 0);

        expect(first.map((message) => message.receiveCount)).to.deep.equal([1]);
        expect(second.map((message) => message.receiveCount)).to.deep.equal([2]);
      });
    });

    describe('Method: delete', () => {
      it('removes the messages it was given the receipt handles of', async () => {
        // Prepare: received with a visibility timeout of 0, so whatever is not deleted is visible at once
        await dlq().send([anOrderMessage(1), anOrderMessage(2)]);
        const received = await dlq().receive(2, 0);

        // Act
        const undeleted = await dlq().delete(received.map((message) => message.receiptHandle));

        // Assess
        expect(received).to.have.length(2);
        expect(undeleted).to.deep.equal([]);
        expect(await dlq().receive(1, 0)).to.deep.equal([]);
      });

      it('returns only the receipt handles it could not delete', async () => {
        await dlq().send([anOrderMessage(1)]);
        const [message] = await dlq().receive(10, HIDDEN_SECONDS);

        const undeleted = await dlq().delete([message?.receiptHandle ?? '', 'not-a-receipt-handle']);

        expect(undeleted).to.deep.equal(['not-a-receipt-handle']);
      });

      it('treats deleting an already deleted message again as done', async () => {
        await dlq().send([anOrderMessage(1)]);
        const [message] = await dlq().receive(10, HIDDEN_SECONDS);
        const handle = message?.receiptHandle ?? '';
        await dlq().delete([handle]);

        expect(await dlq().delete([handle])).to.deep.equal([]);
      });

      it('deletes more than one batch of handles', async () => {
        await dlq().send(Array.from({ length: 23 }, (_, index) => anOrderMessage(index)));
        const received = await dlq().receive(23, HIDDEN_SECONDS);

        const undeleted = await dlq().delete([...received.map((message) => message.receiptHandle), 'not-a-receipt-handle']);

        expect(received).to.have.length(23);
        expect(undeleted).to.deep.equal(['not-a-receipt-handle']);
      });

      it('answers an empty delete with no failures', async () => {
        expect(await dlq().delete([])).to.deep.equal([]);
      });
    });

    /*
     * As for the order queue: SQS and moto 5.2 refuse SendMessageBatch, ReceiveMessage and
     * DeleteMessageBatch on a queue that does not exist (QueueDoesNotExist), and the adapters throw it.
     * moto forgets a deleted queue at once; SQS may go on answering for up to 60 s after DeleteQueue.
     */
    describe('Deleted queue', () => {
      it('refuses a send: thrown, PERMANENT, AWS.QueueDoesNotExist', async () => {
        await subject().deleteQueue();

        expect(await refusalOf(() => dlq().send([anOrderMessage(1)]))).to.deep.equal(QUEUE_DOES_NOT_EXIST);
      });

      it('refuses a receive the same way', async () => {
        await subject().deleteQueue();

        expect(await refusalOf(() => dlq().receive(10, HIDDEN_SECONDS))).to.deep.equal(QUEUE_DOES_NOT_EXIST);
      });

      it('refuses to delete messages received before the queue was deleted, rather than returning them undeleted', async () => {
        await dlq().send([anOrderMessage(1), anOrderMessage(2)]);
        const received = await dlq().receive(2, HIDDEN_SECONDS);
        await subject().deleteQueue();

        const refusal = await refusalOf(() => dlq().delete(received.map((message) => message.receiptHandle)));

        expect(received).to.have.length(2);
        expect(refusal).to.deep.equal(QUEUE_DOES_NOT_EXIST);
      });
    });
  });
}
