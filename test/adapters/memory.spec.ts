import { expect } from 'chai';
import fc from 'fast-check';
import type { PipelineEvent } from '../../application/ports/event-bus.js';
import { InMemorySqs } from '../../adapters/memory/in-memory-sqs.js';
import { ManualClock } from '../support/manual-clock.js';
import { MemoryDeadLetterQueue } from '../../adapters/memory/memory-dead-letter-queue.js';
import { MemoryEventBus } from '../../adapters/memory/memory-event-bus.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { MemoryOrderQueue } from '../../adapters/memory/memory-order-queue.js';
import { SqsServiceError } from '../../adapters/memory/sqs-service-error.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import { classifyError } from '../../domain/error-classifier.js';
import { LeaseLostError, type ClaimRequest } from '../../domain/idempotency.js';
import { anOrderMessage } from './contract/contract-support.js';
import { deadLetterQueueContract } from './contract/dead-letter-queue.contract.js';
import { eventBusContract, eventBusEntryFailureContract, type EventBusEntryFailureSubject } from './contract/event-bus.contract.js';
import { idempotencyStoreContract } from './contract/idempotency-store.contract.js';
import { idempotencyReservationContract } from './contract/idempotency-reservation.contract.js';
import { outboxStoreContract } from './contract/outbox-store.contract.js';
import { MemoryTableStream } from '../../harness/emulation/streams/memory-table-stream.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { orderQueueContract } from './contract/order-queue.contract.js';

const START = Date.UTC(2026, 0, 1);
const SOURCE = 'orders.pipeline';

/** A broker with `orders` (30 s visibility, redrive after `maxReceiveCount`) and its DLQ `orders-dlq`. */
/** A broker with the queue `orders` that deletes it right after the first call of `method` (which still succeeds). */
function aBrokerLosingItsQueueAfter(method: 'sendMessageBatch' | 'changeMessageVisibilityBatch'): InMemorySqs {
  const sqs = new InMemorySqs({ clock: new ManualClock({ start: START }) });
  const original = sqs[method].bind(sqs) as (queueName: string, entries: never) => ReturnType<InMemorySqs[typeof method]>;
  Object.assign(sqs, {
    [method]: (queueName: string, entries: never) => {
      const result = original(queueName, entries);
      sqs.deleteQueue(queueName);
      return result;
    },
  });
  sqs.createQueue('orders', { visibilityTimeoutSeconds: 30 });
  return sqs;
}

function aBroker(maxReceiveCount = 2, clock = new ManualClock({ start: START })): { sqs: InMemorySqs; clock: ManualClock } {
  let sequence = 0;
  const sqs = new InMemorySqs({ clock, newMessageId: () => `msg-${(sequence += 1)}` });
  sqs.createQueue('orders-dlq', { visibilityTimeoutSeconds: 30 });
  sqs.createQueue('orders', { visibilityTimeoutSeconds: 30, redrivePolicy: { deadLetterQueue: 'orders-dlq', maxReceiveCount } });
  return { sqs, clock };
}

function aMemoryBus(clock = new ManualClock({ start: START, autoAdvance: true })): { bus: MemoryEventBus; clock: ManualClock } {
  return { bus: new MemoryEventBus({ clock, random: new SeededRandom(7) }), clock };
}

function anEvent(index: number, detail: Record<string, unknown> = {}): PipelineEvent {
  return {
    eventId: `evt-${index}`,
    source: SOURCE,
    detailType: 'OrderProcessed',
    detail: { orderId: `order-${index}`, ...detail },
    time: START,
  };
}

function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
}

function sqsErrorCode(act: () => unknown): string | undefined {
  const error = thrownBy(act);
  return error instanceof SqsServiceError ? error.name : undefined;
}

orderQueueContract('memory', async () => {
  const { sqs, clock } = aBroker(2);
  const queue = new MemoryOrderQueue(sqs, 'orders');
  const deadLetters = new MemoryDeadLetterQueue(sqs, 'orders-dlq');
  return {
    queue,
    maxReceiveCount: 2,
    receive: (max, visibilityTimeoutSeconds) => queue.receive(max, visibilityTimeoutSeconds),
    receiveDeadLetters: (max) => deadLetters.receive(max, 30),
    advance: (ms) => clock.advance(ms),
    deleteQueue: async () => sqs.deleteQueue('orders'),
  };
});

deadLetterQueueContract('memory', async () => {
  const { sqs } = aBroker();
  return { deadLetterQueue: new MemoryDeadLetterQueue(sqs, 'orders-dlq'), deleteQueue: async () => sqs.deleteQueue('orders-dlq') };
});

outboxStoreContract('memory', async () => {
  const store = new MemoryIdempotencyStore();
  return { store, stream: new MemoryTableStream(store, new SystemClock()) };
});

idempotencyStoreContract('memory', async () => {
  const store = new MemoryIdempotencyStore();
  return { store, deleteTable: async () => store.deleteTable() };
});
idempotencyReservationContract('memory', async () => {
  const store = new MemoryIdempotencyStore();
  return { store, deleteTable: async () => store.deleteTable() };
});

function aBusSubject(): EventBusEntryFailureSubject {
  const { bus } = aMemoryBus();
  return {
    bus,
    source: SOURCE,
    delivered: async () =>
      bus
        .delivered()
        .map((event) => ({ eventId: event.eventId, source: event.source, detailType: event.detailType, detail: event.detail })),
    failNextEntries: (count, errorCode) => bus.failNext(count, errorCode),
    deleteBus: async () => bus.deleteBus(),
  };
}

eventBusContract('memory', async () => aBusSubject());
eventBusEntryFailureContract('memory', async () => aBusSubject());

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

  describe('Method: purge', () => {
    it('removes every message, in flight or not', () => {
      const { sqs } = aBroker();
      sqs.sendMessage('orders', { body: 'a' });
      sqs.sendMessage('orders', { body: 'b', delaySeconds: 60 });
      sqs.receiveMessages('orders');

      sqs.purge('orders');

      expect(sqs.stats('orders')).to.deep.equal({ visible: 0, inFlight: 0, delayed: 0 });
    });
  });
});

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

describe('Class: MemoryDeadLetterQueue', () => {
  describe('Method: delete', () => {
    it('returns a stale receipt handle as not deleted', async () => {
      const { sqs, clock } = aBroker();
      const dlq = new MemoryDeadLetterQueue(sqs, 'orders-dlq');
      await dlq.send([anOrderMessage(1)]);
      const [first] = await dlq.receive(1, 30);
      await clock.advance(30_000);
      await dlq.receive(1, 30);

      expect(await dlq.delete([first?.receiptHandle ?? ''])).to.deep.equal([first?.receiptHandle]);
      expect(sqs.stats('orders-dlq').inFlight).to.equal(1);
    });
  });
});

describe('Class: MemoryIdempotencyStore', () => {
  const claim = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
    key: 'order#1',
    payloadHash: 'h',
    ownerToken: 'owner-a',
    now: START,
    leaseMs: 30_000,
    ttlSeconds: 60,
    ...overrides,
  });

  it('hands out copies: changing a returned record changes nothing stored', async () => {
    const store = new MemoryIdempotencyStore();
    const decision = await store.claim(claim());

    (decision.record as { status: string }).status = 'SUCCEEDED';
    const fetched = await store.get('order#1', START);
    (fetched as { attempts: number }).attempts = 99;

    expect(await store.get('order#1', START)).to.include({ status: 'INFLIGHT', attempts: 1 });
  });

  it('throws LeaseLostError to an owner whose record expired', async () => {
    const store = new MemoryIdempotencyStore();
    await store.claim(claim());

    let thrown: unknown;
    await store.complete('order#1', 'owner-a', START + 61_000).catch((error: unknown) => {
      thrown = error;
    });

    expect(thrown).to.be.instanceOf(LeaseLostError);
  });

  it('keeps expired records in the snapshot, as DynamoDB keeps them until TTL deletion', async () => {
    const store = new MemoryIdempotencyStore();
    await store.claim(claim());
    await store.claim(claim({ key: 'order#2' }));

    const keys = store.snapshot().map((record) => record.key);

    expect(keys).to.have.members(['order#1', 'order#2']);
    expect(await store.get('order#1', START + 61_000)).to.equal(undefined);
  });
});

describe('Class: MemoryEventBus', () => {
  describe('Method: publish', () => {
    it('splits into PutEvents requests of at most 10 entries', async () => {
      const { bus } = aMemoryBus();

      await bus.publish(Array.from({ length: 25 }, (_, index) => anEvent(index)));

      expect(bus.requestCount()).to.equal(3);
    });

    it('splits by the byte limit too', async () => {
      const clock = new ManualClock({ start: START, autoAdvance: true });
      const bus = new MemoryEventBus({ clock, random: new SeededRandom(1), limits: { maxEntries: 10, maxBytes: 2_000 } });

      const result = await bus.publish(Array.from({ length: 4 }, (_, index) => anEvent(index, { note: 'x'.repeat(900) })));

      expect(result.published).to.have.length(4);
      expect(bus.requestCount()).to.equal(2);
    });

    it('waits between re-sends on the clock, with a full-jitter delay within the backoff cap', async () => {
      // Prepare: a clock that does not move by itself
      const clock = new ManualClock({ start: START });
      const bus = new MemoryEventBus({ clock, random: new SeededRandom(3), backoff: { base: 100, cap: 100 } });
      bus.failNext(1, 'ThrottlingException');

      // Act
      let settled = false;
      const publishing = bus.publish([anEvent(1)]).then((result) => {
        settled = true;
        return result;
      });
      await new Promise((resolve) => setImmediate(resolve));
      const whileWaiting = { settled, requests: bus.requestCount(), wakeAt: clock.nextWakeAt() };
      await clock.advance(100);
      const result = await publishing;

      // Assess
      expect(whileWaiting.settled).to.equal(false);
      expect(whileWaiting.requests).to.equal(1);
      expect(whileWaiting.wakeAt).to.be.within(START, START + 100);
      expect(result.published).to.have.length(1);
      expect(bus.requestCount()).to.equal(2);
    });

    it('sends a failing retryable entry 1 + maxRetries times, no more', async () => {
      const clock = new ManualClock({ start: START, autoAdvance: true });
      const bus = new MemoryEventBus({ clock, random: new SeededRandom(3), maxRetries: 2 });
      const attempts: number[] = [];
      bus.failWhen((_event, attempt) => {
        attempts.push(attempt);
        return 'InternalFailure';
      });

      const result = await bus.publish([anEvent(1)]);

      expect(attempts).to.deep.equal([1, 2, 3]);
      expect(result.failed[0]).to.include({ category: 'TRANSIENT', code: 'AWS.InternalFailure' });
    });

    it('reports a detail that cannot be serialised as MalformedDetail, PERMANENT', async () => {
      const { bus } = aMemoryBus();

      const result = await bus.publish([anEvent(1, { amount: 10n }), anEvent(2)]);

      expect(result.failed.map((failure) => [failure.event.eventId, failure.category, failure.code])).to.deep.equal([
        ['evt-1', 'PERMANENT', 'AWS.MalformedDetail'],
      ]);
      expect(result.published.map((event) => event.eventId)).to.deep.equal(['evt-2']);
    });

    it('keeps the delivered detail as a consumer sees it: JSON, with the eventId', async () => {
      const { bus } = aMemoryBus();
      const event = anEvent(1, { placedAt: new Date(START) });

      await bus.publish([event]);

      expect(bus.delivered()[0]?.detail).to.deep.equal({ orderId: 'order-1', placedAt: new Date(START).toISOString(), eventId: 'evt-1' });
    });
  });

  describe('Method: deleteBus', () => {
    it('reports the events left failed, not thrown, when the bus goes away after a first request delivered', async () => {
      // Prepare: the first delivery deletes the bus, so the second PutEvents request is refused
      const { bus } = aMemoryBus();
      bus.subscribe(() => bus.deleteBus());

      // Act
      const result = await bus.publish(Array.from({ length: 12 }, (_, index) => anEvent(index)));

      // Assess: as the EventBridge adapter settles a refusal once something was published
      expect(result.published).to.have.length(10);
      expect(result.failed.map((failure) => [failure.event.eventId, failure.category, failure.code])).to.deep.equal([
        ['evt-10', 'PERMANENT', 'AWS.ResourceNotFoundException'],
        ['evt-11', 'PERMANENT', 'AWS.ResourceNotFoundException'],
      ]);
      expect(bus.requestCount()).to.equal(2);
    });

    it("settles an entry whose re-send is refused with the refusal, as the adapter's entry retry does", async () => {
      const { bus } = aMemoryBus();
      bus.failNext(1, 'ThrottlingException');
      bus.subscribe(() => bus.deleteBus());

      const result = await bus.publish([anEvent(1), anEvent(2)]);

      expect(result.published.map((event) => event.eventId)).to.deep.equal(['evt-2']);
      expect(result.failed.map((failure) => [failure.event.eventId, failure.category, failure.code])).to.deep.equal([
        ['evt-1', 'PERMANENT', 'AWS.ResourceNotFoundException'],
      ]);
    });
  });

  describe('Method: subscribe', () => {
    it('hands each delivered event to listeners until they unsubscribe; a throwing listener fails nothing', async () => {
      const { bus } = aMemoryBus();
      const seen: string[] = [];
      const unsubscribe = bus.subscribe((event) => seen.push(event.eventId));
      bus.subscribe(() => {
        throw new Error('listener bug');
      });

      const first = await bus.publish([anEvent(1), anEvent(2)]);
      unsubscribe();
      await bus.publish([anEvent(3)]);

      expect(first.failed).to.deep.equal([]);
      expect(seen).to.deep.equal(['evt-1', 'evt-2']);
      expect(bus.listenerErrors()).to.have.length(3);
      expect(bus.delivered()).to.have.length(3);
    });
  });
});

describe('Class: ManualClock', () => {
  describe('Method: sleep', () => {
    it('resolves only once the clock was advanced to its wake-up time', async () => {
      const clock = new ManualClock({ start: START });
      let woke = false;
      const sleeping = clock.sleep(1_000).then(() => {
        woke = true;
      });

      await clock.advance(999);
      const beforeDue = woke;
      await clock.advance(1);
      await sleeping;

      expect(beforeDue).to.equal(false);
      expect(woke).to.equal(true);
      expect(clock.now()).to.equal(START + 1_000);
    });

    it('resolves at once for 0 or a negative time', async () => {
      const clock = new ManualClock({ start: START });

      await clock.sleep(0);
      await clock.sleep(-5);

      expect(clock.pendingSleeps()).to.equal(0);
    });
  });

  describe('Method: advance', () => {
    it('wakes sleepers in wake-up order, each seeing its own wake-up time, and runs chained sleeps within the span', async () => {
      const clock = new ManualClock({ start: START });
      const seen: string[] = [];
      void clock.sleep(300).then(() => seen.push(`b@${clock.now() - START}`));
      void (async () => {
        await clock.sleep(100);
        seen.push(`a@${clock.now() - START}`);
        await clock.sleep(100);
        seen.push(`a2@${clock.now() - START}`);
      })();

      await clock.advance(1_000);

      expect(seen).to.deep.equal(['a@100', 'a2@200', 'b@300']);
      expect(clock.now()).to.equal(START + 1_000);
    });

    it('refuses a negative step', () => {
      expect(() => new ManualClock().advance(-1)).to.throw(RangeError);
    });
  });

  describe('Method: set', () => {
    it('moves forward waking the due sleepers, and backwards without waking anyone', async () => {
      const clock = new ManualClock({ start: START });
      let woke = false;
      void clock.sleep(500).then(() => {
        woke = true;
      });

      await clock.set(START - 10_000);
      const afterBackwards = woke;
      await clock.set(START + 500);
      await new Promise((resolve) => setImmediate(resolve));

      expect(afterBackwards).to.equal(false);
      expect(woke).to.equal(true);
    });
  });

  describe('Option: autoAdvance', () => {
    it('jumps to the next wake-up once the code is idle: concurrent sleeps end together', async () => {
      const clock = new ManualClock({ start: START, autoAdvance: true });

      await Promise.all([clock.sleep(100), clock.sleep(100), clock.sleep(40)]);

      expect(clock.now()).to.equal(START + 100);
    });

    it('lets sequential sleeps add up', async () => {
      const clock = new ManualClock({ start: START, autoAdvance: true });

      await clock.sleep(100);
      await clock.sleep(250);

      expect(clock.now()).to.equal(START + 350);
    });
  });
});

describe('Class: SeededRandom', () => {
  it('repeats its sequence for the same seed and stays within [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), (seed) => {
        const first = new SeededRandom(seed);
        const second = new SeededRandom(seed);
        const drawn = Array.from({ length: 20 }, () => first.next());
        expect(Array.from({ length: 20 }, () => second.next())).to.deep.equal(drawn);
        expect(drawn.every((value) => value >= 0 && value < 1)).to.equal(true);
      }),
    );
  });

  it('gives different sequences for different seeds and spreads its values', () => {
    const random = new SeededRandom(42);
    const values = Array.from({ length: 10_000 }, () => random.next());
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;

    expect(new SeededRandom(1).next()).to.not.equal(new SeededRandom(2).next());
    expect(mean).to.be.within(0.48, 0.52);
    expect(new Set(values).size).to.be.greaterThan(9_990);
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => new SeededRandom(1.5)).to.throw(RangeError);
  });
});

describe('Class: SystemClock', () => {
  it('reads the wall clock and sleeps for real', async () => {
    const clock = new SystemClock();
    const before = Date.now();

    await clock.sleep(20);

    expect(clock.now() - before).to.be.at.least(19);
  });
});
