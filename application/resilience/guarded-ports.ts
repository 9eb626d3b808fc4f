import type { ServiceName } from '../config/breaker-defaults.js';
import { RETRY_POLICIES, type ErrorCategory } from '../../domain/error-category.js';
import type { ClaimDecision, IdempotencyRecord } from '../../domain/idempotency.js';
import type { ReservationDecision } from '../../domain/idempotency-reservation.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { EventBus, PublishEventsResult } from '../ports/event-bus.js';
import type { IdempotencyStore, ReplayAnswer } from '../ports/idempotency-store.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { QueueMessage, SendResult } from '../ports/queue-message.js';
import type { CircuitBreakers } from './circuit-breakers.js';

/*
 * Decorators that send every call of a port through the breaker of the service behind it, whichever
 * adapter (AWS or in memory) is inside. Plain classes: the composition root builds them in a factory.
 * Arguments are handed on as `Parameters<…>`, so an argument a port gains later cannot be dropped here.
 */

/**
 * A batch call that sent nothing and whose entries failed is a failed call, even though the adapter
 * returned instead of throwing: the breaker must hear about a service that throttles every entry.
 * Any entry that got through means the service answered.
 */
export function batchFailureCategory(
  succeeded: number,
  failures: readonly { readonly category: ErrorCategory }[],
): ErrorCategory | undefined {
  const first = failures[0];
  if (succeeded > 0 || first === undefined) return undefined;
  return failures.find((failure) => RETRY_POLICIES[failure.category].tripsBreaker)?.category ?? first.category;
}

const SQS: ServiceName = 'sqs';
const DYNAMODB: ServiceName = 'dynamodb';
const EVENTBRIDGE: ServiceName = 'eventbridge';

const sendFailure = (result: SendResult): ErrorCategory | undefined => batchFailureCategory(result.sent.length, result.failed);
const publishFailure = (result: PublishEventsResult): ErrorCategory | undefined =>
  batchFailureCategory(result.published.length, result.failed);

export class GuardedOrderQueue implements OrderQueue {
  constructor(
    private readonly inner: OrderQueue,
    private readonly breakers: CircuitBreakers,
  ) {}

  send(...args: Parameters<OrderQueue['send']>): Promise<SendResult> {
    return this.breakers.run(SQS, () => this.inner.send(...args), { failureOf: sendFailure });
  }

  changeVisibility(...args: Parameters<OrderQueue['changeVisibility']>): Promise<void> {
    return this.breakers.run(SQS, () => this.inner.changeVisibility(...args));
  }
}

export class GuardedDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly inner: DeadLetterQueue,
    private readonly breakers: CircuitBreakers,
  ) {}

  send(...args: Parameters<DeadLetterQueue['send']>): Promise<SendResult> {
    return this.breakers.run(SQS, () => this.inner.send(...args), { failureOf: sendFailure });
  }

  receive(...args: Parameters<DeadLetterQueue['receive']>): Promise<readonly QueueMessage[]> {
    return this.breakers.run(SQS, () => this.inner.receive(...args));
  }

  delete(...args: Parameters<DeadLetterQueue['delete']>): Promise<readonly string[]> {
    return this.breakers.run(SQS, () => this.inner.delete(...args));
  }
}

export class GuardedIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly inner: IdempotencyStore,
    private readonly breakers: CircuitBreakers,
  ) {}

  claim(...args: Parameters<IdempotencyStore['claim']>): Promise<ClaimDecision> {
    return this.breakers.run(DYNAMODB, () => this.inner.claim(...args));
  }

  reserve(...args: Parameters<IdempotencyStore['reserve']>): Promise<ReservationDecision> {
    return this.breakers.run(DYNAMODB, () => this.inner.reserve(...args));
  }

  releaseReservation(...args: Parameters<IdempotencyStore['releaseReservation']>): Promise<boolean> {
    return this.breakers.run(DYNAMODB, () => this.inner.releaseReservation(...args));
  }

  findAwaitingSend(...args: Parameters<IdempotencyStore['findAwaitingSend']>): Promise<IdempotencyRecord[]> {
    return this.breakers.run(DYNAMODB, () => this.inner.findAwaitingSend(...args));
  }

  markReservationSent(...args: Parameters<IdempotencyStore['markReservationSent']>): Promise<boolean> {
    return this.breakers.run(DYNAMODB, () => this.inner.markReservationSent(...args));
  }

  recordOutcome(...args: Parameters<IdempotencyStore['recordOutcome']>): Promise<IdempotencyRecord> {
    return this.breakers.run(DYNAMODB, () => this.inner.recordOutcome(...args));
  }

  complete(...args: Parameters<IdempotencyStore['complete']>): Promise<IdempotencyRecord> {
    return this.breakers.run(DYNAMODB, () => this.inner.complete(...args));
  }

  fail(...args: Parameters<IdempotencyStore['fail']>): Promise<IdempotencyRecord> {
    return this.breakers.run(DYNAMODB, () => this.inner.fail(...args));
  }

  park(...args: Parameters<IdempotencyStore['park']>): Promise<IdempotencyRecord | undefined> {
    return this.breakers.run(DYNAMODB, () => this.inner.park(...args));
  }

  markDelivered(...args: Parameters<IdempotencyStore['markDelivered']>): Promise<IdempotencyRecord | undefined> {
    return this.breakers.run(DYNAMODB, () => this.inner.markDelivered(...args));
  }

  replay(...args: Parameters<IdempotencyStore['replay']>): Promise<ReplayAnswer> {
    return this.breakers.run(DYNAMODB, () => this.inner.replay(...args));
  }

  find(...args: Parameters<IdempotencyStore['find']>): Promise<IdempotencyRecord[]> {
    return this.breakers.run(DYNAMODB, () => this.inner.find(...args));
  }

  get(...args: Parameters<IdempotencyStore['get']>): Promise<IdempotencyRecord | undefined> {
    return this.breakers.run(DYNAMODB, () => this.inner.get(...args));
  }
}

export class GuardedEventBus implements EventBus {
  constructor(
    private readonly inner: EventBus,
    private readonly breakers: CircuitBreakers,
  ) {}

  publish(...args: Parameters<EventBus['publish']>): Promise<PublishEventsResult> {
    return this.breakers.run(EVENTBRIDGE, () => this.inner.publish(...args), { failureOf: publishFailure });
  }
}
