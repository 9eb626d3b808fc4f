import type { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import {
  GuardedDeadLetterQueue,
  GuardedEventBus,
  GuardedIdempotencyStore,
  GuardedOrderQueue,
} from '../../application/resilience/guarded-ports.js';
import { type ServiceName } from '../../application/config/breaker-defaults.js';
import type { Recorder } from './guarded-ports.fixtures.js';
import {
  NOW,
  RECORD,
  CLAIM,
  MESSAGE,
  RECEIVED,
  EVENT,
  SENT,
  FakeOrderQueue,
  FakeDeadLetterQueue,
  FakeIdempotencyStore,
  FakeEventBus,
} from './guarded-ports.fixtures.js';

export interface PortCase {
  readonly label: string;
  readonly service: ServiceName;
  readonly method: string;
  readonly args: unknown[];
  readonly expected: unknown;
  readonly build: (breakers: CircuitBreakers) => { readonly inner: Recorder; readonly call: () => Promise<unknown> };
}

export const CASES: readonly PortCase[] = [
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
