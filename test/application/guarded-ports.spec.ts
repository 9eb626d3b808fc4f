import { expect } from 'chai';
import type { Clock } from '../../application/ports/clock.js';
import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { EventBus, PipelineEvent, PublishEventsResult } from '../../application/ports/event-bus.js';
import type { IdempotencyStore, ReplayAnswer } from '../../application/ports/idempotency-store.js';
import type { Logger } from '../../application/ports/logger.js';
import type { Metrics } from '../../application/ports/metrics.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { OutboundMessage, QueueMessage, SendResult } from '../../application/ports/queue-message.js';
import { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import {
  batchFailureCategory,
  GuardedDeadLetterQueue,
  GuardedEventBus,
  GuardedIdempotencyStore,
  GuardedOrderQueue,
} from '../../application/resilience/guarded-ports.js';
import { SERVICE_NAMES, type ServiceName } from '../../application/config/breaker-defaults.js';
import { CircuitOpenError } from '../../domain/errors.js';
import type { ClaimDecision, ClaimRequest, IdempotencyRecord } from '../../domain/idempotency.js';
import type { ReservationDecision } from '../../domain/idempotency-reservation.js';

const NOW = 1_700_000_000_000;

const clock: Clock = { now: () => NOW, sleep: () => Promise.resolve() };
const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
const noMetrics: Metrics = { add() {}, flush() {} };

const RECORD: IdempotencyRecord = {
  key: 'order-1',
  status: 'SUCCEEDED',
  payloadHash: 'hash-1',
  attempts: 1,
  expiresAt: NOW / 1000 + 3600,
  createdAt: NOW,
  updatedAt: NOW,
};
const CLAIM: ClaimRequest = { key: 'order-1', payloadHash: 'hash-1', ownerToken: 'owner-1', now: NOW, leaseMs: 30_000, ttlSeconds: 3600 };
const MESSAGE: OutboundMessage = { id: 'm1', body: '{}', attributes: {} };
const RECEIVED: QueueMessage = { messageId: 'id-1', receiptHandle: 'rh-1', body: '{}', attributes: {}, receiveCount: 1, sentAt: NOW };
const EVENT: PipelineEvent = { eventId: 'e1', source: 'orders.pipeline', detailType: 'OrderProcessed', detail: {}, time: NOW };
const SENT: SendResult = { sent: [{ id: 'm1', messageId: 'sqs-1' }], failed: [] };

const serviceUnavailable = (): Error =>
  Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });

/** Records every call; answers with `answer`, or throws `failure` when set. */
class Recorder {
  readonly calls: [string, unknown[]][] = [];
  failure: Error | undefined = undefined;
  answer<T>(method: string, args: unknown[], value: T): Promise<T> {
    this.calls.push([method, args]);
    return this.failure === undefined ? Promise.resolve(value) : Promise.reject(this.failure);
  }
}

class FakeOrderQueue extends Recorder implements OrderQueue {
  sendResult: SendResult = SENT;
  send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return this.answer('send', [messages], this.sendResult);
  }
  changeVisibility(changes: Parameters<OrderQueue['changeVisibility']>[0]): Promise<void> {
    return this.answer('changeVisibility', [changes], undefined);
  }
}

class FakeDeadLetterQueue extends Recorder implements DeadLetterQueue {
  sendResult: SendResult = SENT;
  send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return this.answer('send', [messages], this.sendResult);
  }
  receive(max: number, visibilityTimeoutSeconds: number): Promise<readonly QueueMessage[]> {
    return this.answer('receive', [max, visibilityTimeoutSeconds], [RECEIVED]);
  }
  delete(receiptHandles: readonly string[]): Promise<readonly string[]> {
    return this.answer('delete', [receiptHandles], ['rh-failed']);
  }
}

class FakeIdempotencyStore extends Recorder implements IdempotencyStore {
  reserve(...args: Parameters<IdempotencyStore['reserve']>): Promise<ReservationDecision> {
    return this.answer('reserve', args, { kind: 'DUPLICATE', record: RECORD });
  }
  releaseReservation(...args: Parameters<IdempotencyStore['releaseReservation']>): Promise<boolean> {
    return this.answer('releaseReservation', args, true);
  }
  findAwaitingSend(...args: Parameters<IdempotencyStore['findAwaitingSend']>): Promise<IdempotencyRecord[]> {
    return this.answer('findAwaitingSend', args, [RECORD]);
  }
  markReservationSent(...args: Parameters<IdempotencyStore['markReservationSent']>): Promise<boolean> {
    return this.answer('markReservationSent', args, true);
  }
  claim(request: ClaimRequest): Promise<ClaimDecision> {
    return this.answer('claim', [request], { kind: 'ALREADY_SUCCEEDED', record: RECORD });
  }
  recordOutcome(...args: Parameters<IdempotencyStore['recordOutcome']>): Promise<IdempotencyRecord> {
    return this.answer('recordOutcome', args, RECORD);
  }
  complete(...args: Parameters<IdempotencyStore['complete']>): Promise<IdempotencyRecord> {
    return this.answer('complete', args, RECORD);
  }
  fail(...args: Parameters<IdempotencyStore['fail']>): Promise<IdempotencyRecord> {
    return this.answer('fail', args, RECORD);
  }
  park(...args: Parameters<IdempotencyStore['park']>): Promise<IdempotencyRecord | undefined> {
    return this.answer('park', args, undefined);
  }
  markDelivered(...args: Parameters<IdempotencyStore['markDelivered']>): Promise<IdempotencyRecord | undefined> {
    return this.answer('markDelivered', args, RECORD);
  }
  replay(...args: Parameters<IdempotencyStore['replay']>): Promise<ReplayAnswer> {
    return this.answer('replay', args, { replayed: false, record: RECORD });
  }
  find(...args: Parameters<IdempotencyStore['find']>): Promise<IdempotencyRecord[]> {
    return this.answer('find', args, [RECORD]);
  }
  get(...args: Parameters<IdempotencyStore['get']>): Promise<IdempotencyRecord | undefined> {
    return this.answer('get', args, RECORD);
  }
}

class FakeEventBus extends Recorder implements EventBus {
  publishResult: PublishEventsResult = { published: [EVENT], failed: [] };
  publish(events: readonly PipelineEvent[]): Promise<PublishEventsResult> {
    return this.answer('publish', [events], this.publishResult);
  }
}

interface PortCase {
  readonly label: string;
  readonly service: ServiceName;
  readonly method: string;
  readonly args: unknown[];
  readonly expected: unknown;
  readonly build: (breakers: CircuitBreakers) => { readonly inner: Recorder; readonly call: () => Promise<unknown> };
}

const CASES: readonly PortCase[] = [
  {
    label: 'GuardedOrderQueue.send',
    service: 'sqs',
    method: 'send',
    args: [[MESSAGE]],
    expected: SENT,
    build: (b) => {
      const inner = new FakeOrderQueue();
      return { inner, call: () => new GuardedOrderQueue(inner, b).send([MESSAGE]) };
    },
  },
  {
    label: 'GuardedOrderQueue.changeVisibility',
    service: 'sqs',
    method: 'changeVisibility',
    args: [[{ receiptHandle: 'rh-1', timeoutSeconds: 30 }]],
    expected: undefined,
    build: (b) => {
      const inner = new FakeOrderQueue();
      return { inner, call: () => new GuardedOrderQueue(inner, b).changeVisibility([{ receiptHandle: 'rh-1', timeoutSeconds: 30 }]) };
    },
  },
  {
    label: 'GuardedDeadLetterQueue.send',
    service: 'sqs',
    method: 'send',
    args: [[MESSAGE]],
    expected: SENT,
    build: (b) => {
      const inner = new FakeDeadLetterQueue();
      return { inner, call: () => new GuardedDeadLetterQueue(inner, b).send([MESSAGE]) };
    },
  },
  {
    label: 'GuardedDeadLetterQueue.receive',
    service: 'sqs',
    method: 'receive',
    args: [25, 60],
    expected: [RECEIVED],
    build: (b) => {
      const inner = new FakeDeadLetterQueue();
      return { inner, call: () => new GuardedDeadLetterQueue(inner, b).receive(25, 60) };
    },
  },
  {
    label: 'GuardedDeadLetterQueue.delete',
    service: 'sqs',
    method: 'delete',
    args: [['rh-1', 'rh-failed']],
    expected: ['rh-failed'],
    build: (b) => {
      const inner = new FakeDeadLetterQueue();
      return { inner, call: () => new GuardedDeadLetterQueue(inner, b).delete(['rh-1', 'rh-failed']) };
    },
  },
  {
    label: 'GuardedIdempotencyStore.claim',
    service: 'dynamodb',
    method: 'claim',
    args: [CLAIM],
    expected: { kind: 'ALREADY_SUCCEEDED', record: RECORD },
    build: (b) => {
      const inner = new FakeIdempotencyStore();
      return { inner, call: () => new GuardedIdempotencyStore(inner, b).claim(CLAIM) };
    },
  },
  {
    label: 'GuardedIdempotencyStore.recordOutcome',
    service: 'dynamodb',
    method: 'recordOutcome',
    args: ['order-1', 'owner-1', { total: 5 }, NOW],
    expected: RECORD,
    build: (b) => {
      const inner = new FakeIdempotencyStore();
      return { inner, call: () => new GuardedIdempotencyStore(inner, b).recordOutcome('order-1', 'owner-1', { total: 5 }, NOW) };
    },
  },
  {
    label: 'GuardedIdempotencyStore.complete',
    service: 'dynamodb',
    method: 'complete',
    args: ['order-1', 'owner-1', NOW, { total: 5 }],
    expected: RECORD,
    build: (b) => {
      const inner = new FakeIdempotencyStore();
      return { inner, call: () => new GuardedIdempotencyStore(inner, b).complete('order-1', 'owner-1', NOW, { total: 5 }) };
    },
  },
  {
    label: 'GuardedIdempotencyStore.fail',
    service: 'dynamodb',
    method: 'fail',
    args: ['order-1', 'owner-1', { category: 'TRANSIENT', code: 'X' }, false, NOW, { total: 5 }],
    expected: RECORD,
    build: (b) => {
      const inner = new FakeIdempotencyStore();
      return {
        inner,
        call: () =>
          new GuardedIdempotencyStore(inner, b).fail('order-1', 'owner-1', { category: 'TRANSIENT', code: 'X' }, false, NOW, { total: 5 }),
      };
    },
  },
  {
    label: 'GuardedIdempotencyStore.park',
    service: 'dynamodb',
    method: 'park',
    args: ['order-1', { category: 'PERMANENT', code: 'Y' }, NOW],
    expected: undefined,
    build: (b) => {
      const inner = new FakeIdempotencyStore();
      return { inner, call: () => new GuardedIdempotencyStore(inner, b).park('order-1', { category: 'PERMANENT', code: 'Y' }, NOW) };
    },
  },
  {
    label: 'GuardedIdempotencyStore.releaseReservation',
    service: 'dynamodb',
    method: 'releaseReservation',
    args: [RECORD, NOW],
    expected: true,
    build: (b) => {
      const inner = new FakeIdempotencyStore();
      return { inner, call: () => new GuardedIdempotencyStore(inner, b).releaseReservation(RECORD, NOW) };
    },
  },
  {
    label: 'GuardedIdempotencyStore.findAwaitingSend',
    service: 'dynamodb',
    method: 'findAwaitingSend',
    args: [NOW, 10, NOW],
    expected: [RECORD],
    build: (b) => {
      const inner = new FakeIdempotencyStore();
      return { inner, call: () => new GuardedIdempotencyStore(inner, b).findAwaitingSend(NOW, 10, NOW) };
    },
  },
  {
    label: 'GuardedIdempotencyStore.markReservationSent',
    service: 'dynamodb',
    method: 'markReservationSent',
    args: [RECORD, 5_000, NOW],
    expected: true,
    build: (b) => {
      const inner = new FakeIdempotencyStore();
      return { inner, call: () => new GuardedIdempotencyStore(inner, b).markReservationSent(RECORD, 5_000, NOW) };
    },
  },
  {
    label: 'GuardedIdempotencyStore.get',
    service: 'dynamodb',
    method: 'get',
    args: ['order-1', NOW],
    expected: RECORD,
    build: (b) => {
      const inner = new FakeIdempotencyStore();
      return { inner, call: () => new GuardedIdempotencyStore(inner, b).get('order-1', NOW) };
    },
  },
  {
    label: 'GuardedEventBus.publish',
    service: 'eventbridge',
    method: 'publish',
    args: [[EVENT]],
    expected: { published: [EVENT], failed: [] },
    build: (b) => {
      const inner = new FakeEventBus();
      return { inner, call: () => new GuardedEventBus(inner, b).publish([EVENT]) };
    },
  },
];

const ONE_STRIKE = { failureThreshold: 1, recoveryTimeoutMs: 60_000, halfOpenMaxProbes: 1 };

function newBreakers(): CircuitBreakers {
  const breakers = new CircuitBreakers(clock, silentLogger, noMetrics);
  breakers.configure({ dynamodb: ONE_STRIKE, sqs: ONE_STRIKE, eventbridge: ONE_STRIKE });
  return breakers;
}

async function open(breakers: CircuitBreakers, service: ServiceName): Promise<void> {
  await breakers.run(service, () => Promise.reject(serviceUnavailable())).catch(() => undefined);
  expect(breakers.isOpen(service)).to.equal(true);
}

describe('Module: guarded-ports', () => {
  for (const portCase of CASES) {
    describe(`Method: ${portCase.label}`, () => {
      it('hands the arguments to the inner port and returns its answer', async () => {
        // Prepare
        const { inner, call } = portCase.build(newBreakers());

        // Act
        const result = await call();

        // Assess
        expect(inner.calls).to.deep.equal([[portCase.method, portCase.args]]);
        expect(result).to.deep.equal(portCase.expected);
      });

      it(`fails fast with CircuitOpenError, without calling, while the ${portCase.service} breaker is open`, async () => {
        const breakers = newBreakers();
        await open(breakers, portCase.service);
        const { inner, call } = portCase.build(breakers);

        const thrown = await call().catch((error: unknown) => error);

        expect(thrown).to.be.instanceOf(CircuitOpenError).with.property('service', portCase.service);
        expect(inner.calls).to.deep.equal([]);
      });

      it('is not held back by the breakers of the other services', async () => {
        const breakers = newBreakers();
        for (const other of SERVICE_NAMES.filter((name) => name !== portCase.service)) await open(breakers, other);
        const { call } = portCase.build(breakers);

        expect(await call()).to.deep.equal(portCase.expected);
      });

      it(`counts the inner port's failure against ${portCase.service} and rethrows it`, async () => {
        const breakers = newBreakers();
        const { inner, call } = portCase.build(breakers);
        const failure = serviceUnavailable();
        inner.failure = failure;

        const thrown = await call().catch((error: unknown) => error);

        expect(thrown).to.equal(failure);
        expect(breakers.state(portCase.service).status).to.equal('OPEN');
      });
    });
  }

  describe('Batch results', () => {
    it('counts a send in which every entry was throttled', async () => {
      const breakers = newBreakers();
      const inner = new FakeOrderQueue();
      inner.sendResult = { sent: [], failed: [{ id: 'm1', code: 'AWS.ThrottlingException', category: 'TRANSIENT', message: 'slow down' }] };

      const result = await new GuardedOrderQueue(inner, breakers).send([MESSAGE]);

      expect(result).to.equal(inner.sendResult);
      expect(breakers.state('sqs').status).to.equal('OPEN');
    });

    it('does not count a send in which some entries got through', async () => {
      const breakers = newBreakers();
      const inner = new FakeDeadLetterQueue();
      inner.sendResult = {
        sent: [{ id: 'm1', messageId: 'x' }],
        failed: [{ id: 'm2', code: 'AWS.InternalError', category: 'TRANSIENT', message: '' }],
      };

      await new GuardedDeadLetterQueue(inner, breakers).send([MESSAGE]);

      expect(breakers.state('sqs').status).to.equal('CLOSED');
    });

    it('counts a publish in which every event failed for the service, not one rejected as invalid', async () => {
      const breakers = newBreakers();
      const inner = new FakeEventBus();
      inner.publishResult = { published: [], failed: [{ event: EVENT, code: 'MalformedDetail', category: 'PERMANENT' }] };
      await new GuardedEventBus(inner, breakers).publish([EVENT]);
      expect(breakers.state('eventbridge').status).to.equal('CLOSED');

      inner.publishResult = { published: [], failed: [{ event: EVENT, code: 'InternalFailure', category: 'TRANSIENT' }] };
      await new GuardedEventBus(inner, breakers).publish([EVENT]);
      expect(breakers.state('eventbridge').status).to.equal('OPEN');
    });
  });

  describe('Function: batchFailureCategory', () => {
    it('is undefined when anything succeeded or nothing failed', () => {
      expect(batchFailureCategory(1, [{ category: 'TRANSIENT' }])).to.equal(undefined);
      expect(batchFailureCategory(0, [])).to.equal(undefined);
    });

    it('prefers a category that trips breakers over the first one', () => {
      expect(batchFailureCategory(0, [{ category: 'VALIDATION' }, { category: 'TIMEOUT' }])).to.equal('TIMEOUT');
      expect(batchFailureCategory(0, [{ category: 'VALIDATION' }, { category: 'PERMANENT' }])).to.equal('VALIDATION');
    });
  });
});
