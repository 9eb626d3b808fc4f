import { ManualClock } from '../support/manual-clock.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { EventBus } from '../../application/ports/event-bus.js';
import type { IdempotencyStore } from '../../application/ports/idempotency-store.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { Random } from '../../application/ports/random.js';
import { type ServiceName } from '../../application/config/breaker-defaults.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { FaultInjection, noFaults, type FaultSettings } from '../../harness/faults/faults.js';
import { FaultyDeadLetterQueue, FaultyEventBus, FaultyIdempotencyStore, FaultyOrderQueue } from '../../harness/faults/faulty-ports.js';

export const NOW = Date.UTC(2026, 0, 1);
export const RECORD: IdempotencyRecord = {
  key: 'order-1',
  status: 'SUCCEEDED',
  payloadHash: 'hash-1',
  attempts: 1,
  expiresAt: NOW / 1_000 + 86_400,
  createdAt: NOW,
  updatedAt: NOW,
};
export const EVENT = { eventId: 'event-1', source: 'orders.pipeline', detailType: 'OrderProcessed', detail: {}, time: NOW };
export const MESSAGE = { id: 'order', body: '{}', attributes: {} };

/** The real adapters' stand-ins: each records that the call reached it, which a failed call must not. */
export class ReachedPorts {
  readonly reached: string[] = [];

  readonly orderQueue: OrderQueue = {
    send: async () => this.reach('orderQueue.send', { sent: [{ id: 'order', messageId: 'message-1' }], failed: [] }),
    changeVisibility: async () => this.reach('orderQueue.changeVisibility', undefined),
  };

  readonly deadLetterQueue: DeadLetterQueue = {
    send: async () => this.reach('deadLetterQueue.send', { sent: [{ id: 'order', messageId: 'message-2' }], failed: [] }),
    receive: async () => this.reach('deadLetterQueue.receive', []),
    delete: async () => this.reach('deadLetterQueue.delete', []),
  };

  readonly store: IdempotencyStore = {
    reserve: async () => this.reach('store.reserve', { kind: 'DUPLICATE' as const, record: RECORD }),
    releaseReservation: async () => this.reach('store.releaseReservation', true),
    findAwaitingSend: async () => this.reach('store.findAwaitingSend', [RECORD]),
    markReservationSent: async () => this.reach('store.markReservationSent', true),
    claim: async () => this.reach('store.claim', { kind: 'ALREADY_SUCCEEDED' as const, record: RECORD }),
    recordOutcome: async () => this.reach('store.recordOutcome', RECORD),
    complete: async () => this.reach('store.complete', RECORD),
    fail: async () => this.reach('store.fail', RECORD),
    park: async () => this.reach('store.park', RECORD),
    markDelivered: async () => this.reach('store.markDelivered', RECORD),
    replay: async () => this.reach('store.replay', { replayed: false as const, record: RECORD }),
    find: async () => this.reach('store.find', [RECORD]),
    get: async () => this.reach('store.get', RECORD),
  };

  readonly bus: EventBus = {
    publish: async () => this.reach('bus.publish', { published: [EVENT], failed: [] }),
  };

  private reach<T>(name: string, value: T): T {
    this.reached.push(name);
    return value;
  }
}

export interface Decorated {
  readonly orderQueue: FaultyOrderQueue;
  readonly deadLetterQueue: FaultyDeadLetterQueue;
  readonly store: FaultyIdempotencyStore;
  readonly bus: FaultyEventBus;
}

export function decorate(inner: ReachedPorts, faults: FaultInjection): Decorated {
  return {
    orderQueue: new FaultyOrderQueue(inner.orderQueue, faults),
    deadLetterQueue: new FaultyDeadLetterQueue(inner.deadLetterQueue, faults),
    store: new FaultyIdempotencyStore(inner.store, faults),
    bus: new FaultyEventBus(inner.bus, faults),
  };
}

/** Every port call a decorator wraps, with the service and the API operation it stands for. */
export interface PortCall {
  readonly name: string;
  readonly service: ServiceName;
  readonly operation: string;
  readonly call: (ports: Decorated) => Promise<unknown>;
}

export const PORT_CALLS: readonly PortCall[] = [
  { name: 'orderQueue.send', service: 'sqs', operation: 'SendMessageBatch', call: (p) => p.orderQueue.send([MESSAGE]) },
  {
    name: 'orderQueue.changeVisibility',
    service: 'sqs',
    operation: 'ChangeMessageVisibilityBatch',
    call: (p) => p.orderQueue.changeVisibility([{ receiptHandle: 'r-1', timeoutSeconds: 2 }]),
  },
  { name: 'deadLetterQueue.send', service: 'sqs', operation: 'SendMessageBatch', call: (p) => p.deadLetterQueue.send([MESSAGE]) },
  { name: 'deadLetterQueue.receive', service: 'sqs', operation: 'ReceiveMessage', call: (p) => p.deadLetterQueue.receive(10, 30) },
  { name: 'deadLetterQueue.delete', service: 'sqs', operation: 'DeleteMessageBatch', call: (p) => p.deadLetterQueue.delete(['r-1']) },
  {
    name: 'store.claim',
    service: 'dynamodb',
    operation: 'PutItem',
    call: (p) =>
      p.store.claim({ key: 'order-1', payloadHash: 'hash-1', ownerToken: 'owner', now: NOW, leaseMs: 30_000, ttlSeconds: 86_400 }),
  },
  {
    name: 'store.recordOutcome',
    service: 'dynamodb',
    operation: 'UpdateItem',
    call: (p) => p.store.recordOutcome('order-1', 'owner', { orderId: 'o-1', currency: 'EUR', totalMinor: 100 }, NOW),
  },
  { name: 'store.complete', service: 'dynamodb', operation: 'UpdateItem', call: (p) => p.store.complete('order-1', 'owner', NOW) },
  {
    name: 'store.fail',
    service: 'dynamodb',
    operation: 'UpdateItem',
    call: (p) => p.store.fail('order-1', 'owner', { category: 'TRANSIENT', code: 'X' }, false, NOW),
  },
  {
    name: 'store.park',
    service: 'dynamodb',
    operation: 'UpdateItem',
    call: (p) => p.store.park('order-1', { category: 'PERMANENT', code: 'X' }, NOW),
  },
  { name: 'store.get', service: 'dynamodb', operation: 'GetItem', call: (p) => p.store.get('order-1', NOW) },
  { name: 'store.releaseReservation', service: 'dynamodb', operation: 'DeleteItem', call: (p) => p.store.releaseReservation(RECORD, NOW) },
  { name: 'store.findAwaitingSend', service: 'dynamodb', operation: 'Query', call: (p) => p.store.findAwaitingSend(NOW, 10, NOW) },
  {
    name: 'store.markReservationSent',
    service: 'dynamodb',
    operation: 'UpdateItem',
    call: (p) => p.store.markReservationSent(RECORD, 5_000, NOW),
  },
  { name: 'bus.publish', service: 'eventbridge', operation: 'PutEvents', call: (p) => p.bus.publish([EVENT]) },
];

/** A Random that counts its draws, so a test can tell that a decision was never drawn. */
export class CountingRandom implements Random {
  draws = 0;
  private readonly inner: SeededRandom;

  constructor(seed: number) {
    this.inner = new SeededRandom(seed);
  }

  next(): number {
    this.draws += 1;
    return this.inner.next();
  }
}

export function settings(changes: Partial<FaultSettings>): FaultSettings {
  return { ...noFaults(), ...changes };
}

/** The faults over stand-in adapters, with a manual clock behind the latency. */
export function setUp(
  initial: Partial<FaultSettings>,
  seed = 1,
): { faults: FaultInjection; inner: ReachedPorts; ports: Decorated; clock: ManualClock; random: CountingRandom } {
  const clock = new ManualClock();
  const random = new CountingRandom(seed);
  const faults = new FaultInjection(settings(initial), random, (ms) => clock.sleep(ms));
  const inner = new ReachedPorts();
  return { faults, inner, ports: decorate(inner, faults), clock, random };
}

/** How a call ended: what it returned, or the error it threw. */
export async function settle(
  promise: Promise<unknown>,
): Promise<{ readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Lets every promise continuation already queued run (one macrotask turn), so "not yet" means not yet. */
export function settleQueuedWork(): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(resolve);
  });
}

/** Whether each of `calls` publishes failed, one after the other, under a 50 % EventBridge fault rate. */
export async function failureSequence(seed: number, calls: number): Promise<boolean[]> {
  const { ports } = setUp({ failureRate: { eventbridge: 0.5 } }, seed);
  const failed: boolean[] = [];
  for (let index = 0; index < calls; index += 1) failed.push(!(await settle(ports.bus.publish([EVENT]))).ok);
  return failed;
}
