import { expect } from 'chai';
import { classifyError } from '../../domain/error-classifier.js';
import { aBroker, thrownBy, sqsErrorCode } from './memory.fixtures.js';

describe('Class: InMemorySqs', () => {
  describe('Method: createQueue', () => {
    it('refuses a visibility timeout, delay or size outside what SQS allows', () => {
      const { sqs } = aBroker();

      expect(sqsErrorCode(() => sqs.createQueue('a', { visibilityTimeoutSeconds: 43_201 }))).to.equal('InvalidParameterValue');
      expect(sqsErrorCode(() => sqs.createQueue('b', { visibilityTimeoutSeconds: 30, delaySeconds: 901 }))).to.equal(
        'InvalidParameterValue',
      );
      expect(sqsErrorCode(() => sqs.createQueue('c', { visibilityTimeoutSeconds: 30, maxMessageBytes: 1_048_577 }))).to.equal(
        'InvalidParameterValue',
      );
      expect(sqs.hasQueue('a') || sqs.hasQueue('b') || sqs.hasQueue('c')).to.equal(false);
    });

    it('refuses a redrive policy to a queue that does not exist, and a second queue of the same name', () => {
      const { sqs } = aBroker();

      expect(
        sqsErrorCode(() =>
          sqs.createQueue('x', { visibilityTimeoutSeconds: 30, redrivePolicy: { deadLetterQueue: 'nope', maxReceiveCount: 3 } }),
        ),
      ).to.equal('QueueDoesNotExist');
      expect(sqsErrorCode(() => sqs.createQueue('orders', { visibilityTimeoutSeconds: 30 }))).to.equal('QueueNameExists');
    });
  });

  describe('Method: sendMessage', () => {
    it('accepts a message of exactly maxMessageBytes counted as SQS counts it, and refuses one byte more', () => {
      // Prepare: 1 024-byte limit; the attribute costs its name, "String" and its value
      const { sqs } = aBroker();
      sqs.createQueue('small', { visibilityTimeoutSeconds: 30, maxMessageBytes: 1_024 });
      const attributes = { orderId: 'order-1' };
      const attributeBytes = 'orderId'.length + 'String'.length + 'order-1'.length;

      // Act
      const accepted = thrownBy(() => sqs.sendMessage('small', { body: 'é'.repeat((1_024 - attributeBytes) / 2), attributes }));
      const refused = sqsErrorCode(() => sqs.sendMessage('small', { body: `${'é'.repeat((1_024 - attributeBytes) / 2)}x`, attributes }));

      // Assess
      expect(accepted).to.equal(undefined);
      expect(refused).to.equal('InvalidParameterValue');
      expect(sqs.stats('small').visible).to.equal(1);
    });

    it('refuses DelaySeconds outside 0–900 and accepts both ends', () => {
      const { sqs } = aBroker();

      for (const delaySeconds of [-1, 901, 1.5]) {
        expect(
          sqsErrorCode(() => sqs.sendMessage('orders', { body: 'b', delaySeconds })),
          String(delaySeconds),
        ).to.equal('InvalidParameterValue');
      }
      sqs.sendMessage('orders', { body: 'b', delaySeconds: 0 });
      sqs.sendMessage('orders', { body: 'b', delaySeconds: 900 });
      expect(sqs.stats('orders')).to.deep.equal({ visible: 1, inFlight: 0, delayed: 1 });
    });

    it('refuses an empty body, characters SQS does not accept, and more than 10 attributes', () => {
      const { sqs } = aBroker();
      const elevenAttributes = Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`a${index}`, 'v']));

      expect(sqsErrorCode(() => sqs.sendMessage('orders', { body: '' }))).to.equal('InvalidParameterValue');
      expect(sqsErrorCode(() => sqs.sendMessage('orders', { body: 'bell\u0007' }))).to.equal('InvalidMessageContents');
      expect(sqsErrorCode(() => sqs.sendMessage('orders', { body: 'b', attributes: elevenAttributes }))).to.equal('InvalidParameterValue');
      expect(sqsErrorCode(() => sqs.sendMessage('orders', { body: 'b', attributes: { 'AWS.trace': 'x' } }))).to.equal(
        'InvalidParameterValue',
      );
      expect(sqsErrorCode(() => sqs.sendMessage('nope', { body: 'b' }))).to.equal('QueueDoesNotExist');
    });

    it('raises errors the classifier reads as a client fault (PERMANENT)', () => {
      const { sqs } = aBroker();

      const error = thrownBy(() => sqs.sendMessage('orders', { body: '' }));

      expect(classifyError(error)).to.include({ category: 'PERMANENT', code: 'AWS.InvalidParameterValue' });
    });
  });

  describe('Method: sendMessageBatch', () => {
    const entry = (
      id: string,
      overrides: { body?: string; delaySeconds?: number } = {},
    ): { id: string; body: string; delaySeconds?: number } => ({
      id,
      body: 'b',
      ...overrides,
    });

    it('refuses the whole call for 0 or more than 10 entries, repeated ids, bad ids and more than 1 MiB in total', () => {
      const { sqs } = aBroker();
      const half = 'x'.repeat(524_288);

      expect(sqsErrorCode(() => sqs.sendMessageBatch('orders', []))).to.equal('EmptyBatchRequest');
      expect(
        sqsErrorCode(() =>
          sqs.sendMessageBatch(
            'orders',
            Array.from({ length: 11 }, (_, index) => entry(`e${index}`)),
          ),
        ),
      ).to.equal('TooManyEntriesInBatchRequest');
      expect(sqsErrorCode(() => sqs.sendMessageBatch('orders', [entry('a'), entry('a')]))).to.equal('BatchEntryIdsNotDistinct');
      expect(sqsErrorCode(() => sqs.sendMessageBatch('orders', [entry('not ok')]))).to.equal('InvalidBatchEntryId');
      expect(sqsErrorCode(() => sqs.sendMessageBatch('orders', [entry('a', { body: half }), entry('b', { body: `${half}x` })]))).to.equal(
        'BatchRequestTooLong',
      );
      expect(sqs.stats('orders').visible).to.equal(0);
    });

    it('accepts exactly 1 MiB in total', () => {
      const { sqs } = aBroker();
      const half = 'x'.repeat(524_288);

      const result = sqs.sendMessageBatch('orders', [entry('a', { body: half }), entry('b', { body: half })]);

      expect(result.successful.map((success) => success.id)).to.deep.equal(['a', 'b']);
    });

    it('reports a refused entry in Failed with SenderFault and sends the others', () => {
      const { sqs } = aBroker();

      const result = sqs.sendMessageBatch('orders', [entry('a'), entry('b', { delaySeconds: 901 }), entry('c')]);

      expect(result.successful.map((success) => success.id)).to.deep.equal(['a', 'c']);
      expect(result.failed).to.have.length(1);
      expect(result.failed[0]).to.include({ id: 'b', code: 'InvalidParameterValue', senderFault: true });
      expect(sqs.stats('orders').visible).to.equal(2);
    });
  });
});
