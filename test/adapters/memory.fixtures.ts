import type { PipelineEvent } from '../../application/ports/event-bus.js';
import { InMemorySqs } from '../../adapters/memory/in-memory-sqs.js';
import { ManualClock } from '../support/manual-clock.js';
import { MemoryDeadLetterQueue } from '../../adapters/memory/memory-dead-letter-queue.js';
import { MemoryEventBus } from '../../adapters/memory/memory-event-bus.js';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { MemoryOrderQueue } from '../../adapters/memory/memory-order-queue.js';
import { SqsServiceError } from '../../adapters/memory/sqs-service-error.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import { deadLetterQueueContract } from './contract/dead-letter-queue.contract.js';
import { eventBusContract, eventBusEntryFailureContract, type EventBusEntryFailureSubject } from './contract/event-bus.contract.js';
import { idempotencyStoreContract } from './contract/idempotency-store.contract.js';
import { idempotencyReservationContract } from './contract/idempotency-reservation.contract.js';
import { outboxStoreContract } from './contract/outbox-store.contract.js';
import { MemoryTableStream } from '../../harness/emulation/streams/memory-table-stream.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { orderQueueContract } from './contract/order-queue.contract.js';

export const START = Date.UTC(2026, 0, 1);
export const SOURCE = 'orders.pipeline';

/** A broker with `orders` (30 s visibility, redrive after `maxReceiveCount`) and its DLQ `orders-dlq`. */
/** A broker with the queue `orders` that deletes it right after the first call of `method` (which still succeeds). */
export function aBrokerLosingItsQueueAfter(method: 'sendMessageBatch' | 'changeMessageVisibilityBatch'): InMemorySqs {
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

export function aBroker(maxReceiveCount = 2, clock = new ManualClock({ start: START })): { sqs: InMemorySqs; clock: ManualClock } {
  let sequence = 0;
  const sqs = new InMemorySqs({ clock, newMessageId: () => `msg-${(sequence += 1)}` });
  sqs.createQueue('orders-dlq', { visibilityTimeoutSeconds: 30 });
  sqs.createQueue('orders', { visibilityTimeoutSeconds: 30, redrivePolicy: { deadLetterQueue: 'orders-dlq', maxReceiveCount } });
  return { sqs, clock };
}

export function aMemoryBus(clock = new ManualClock({ start: START, autoAdvance: true })): { bus: MemoryEventBus; clock: ManualClock } {
  return { bus: new MemoryEventBus({ clock, random: new SeededRandom(7) }), clock };
}

export function anEvent(index: number, detail: Record<string, unknown> = {}): PipelineEvent {
  return {
    eventId: `evt-${index}`,
    source: SOURCE,
    detailType: 'OrderProcessed',
    detail: { orderId: `order-${index}`, ...detail },
    time: START,
  };
}

export function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
}

export function sqsErrorCode(act: () => unknown): string | undefined {
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

export function aBusSubject(): EventBusEntryFailureSubject {
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
