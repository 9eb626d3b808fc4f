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
import { type ServiceName } from '../../application/config/breaker-defaults.js';
import type { ClaimDecision, ClaimRequest, IdempotencyRecord } from '../../domain/idempotency.js';
import type { ReservationDecision } from '../../domain/idempotency-reservation.js';

export const NOW = 1_700_000_000_000;

export const clock: Clock = { now: () => NOW, sleep: () => Promise.resolve() };
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
export const noMetrics: Metrics = { add() {}, flush() {} };

export const RECORD: IdempotencyRecord = {
  key: 'order-1',
  status: 'SUCCEEDED',
  payloadHash: 'hash-1',
  attempts: 1,
  expiresAt: NOW / 1000 + 3600,
  createdAt: NOW,
  updatedAt: NOW,
};
export const CLAIM: ClaimRequest = {
  key: 'order-1',
  payloadHash: 'hash-1',
  ownerToken: 'owner-1',
  now: NOW,
  leaseMs: 30_000,
  ttlSeconds: 3600,
};
export const MESSAGE: OutboundMessage = { id: 'm1', body: '{}', attributes: {} };
export const RECEIVED: QueueMessage = {
  messageId: 'id-1',
  receiptHandle: 'rh-1',
  body: '{}',
  attributes: {},
  receiveCount: 1,
  sentAt: NOW,
};
export const EVENT: PipelineEvent = { eventId: 'e1', source: 'orders.pipeline', detailType: 'OrderProcessed', detail: {}, time: NOW };
export const SENT: SendResult = { sent: [{ id: 'm1', messageId: 'sqs-1' }], failed: [] };

export const serviceUnavailable = (): Error =>
  Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } });

/** Records every call; answers with `answer`, or throws `failure` when set. */
export class Recorder {
  readonly calls: [string, unknown[]][] = [];
  failure: Error | undefined = undefined;
  answer<T>(method: string, args: unknown[], value: T): Promise<T> {
    this.calls.push([method, args]);
    return this.failure === undefined ? Promise.resolve(value) : Promise.reject(this.failure);
  }
}

export class FakeOrderQueue extends Recorder implements OrderQueue {
  sendResult: SendResult = SENT;
  send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return this.answer('send', [messages], this.sendResult);
  }
  changeVisibility(changes: Parameters<OrderQueue['changeVisibility']>[0]): Promise<void> {
    return this.answer('changeVisibility', [changes], undefined);
  }
}

export class FakeDeadLetterQueue extends Recorder implements DeadLetterQueue {
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

export class FakeIdempotencyStore extends Recorder implements IdempotencyStore {
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

export class FakeEventBus extends Recorder implements EventBus {
  publishResult: PublishEventsResult = { published: [EVENT], failed: [] };
  publish(events: readonly PipelineEvent[]): Promise<PublishEventsResult> {
    return this.answer('publish', [events], this.publishResult);
  }
}

export const ONE_STRIKE = { failureThreshold: 1, recoveryTimeoutMs: 60_000, halfOpenMaxProbes: 1 };

export function newBreakers(): CircuitBreakers {
  const breakers = new CircuitBreakers(clock, silentLogger, noMetrics);
  breakers.configure({ dynamodb: ONE_STRIKE, sqs: ONE_STRIKE, eventbridge: ONE_STRIKE });
  return breakers;
}

export async function open(breakers: CircuitBreakers, service: ServiceName): Promise<void> {
  await breakers.run(service, () => Promise.reject(serviceUnavailable())).catch(() => undefined);
  expect(breakers.isOpen(service)).to.equal(true);
}
