import type { ServiceName } from '../../domain/circuit-breaker.js';
import { RETRY_POLICIES, type ErrorCategory } from '../../domain/error-category.js';
import type {
  ClaimDecision,
  ClaimRequest,
  FailureInfo,
  IdempotencyRecord,
  OutcomeSummary,
} from '../../domain/idempotency.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { EventBus, PipelineEvent, PublishEventsResult } from '../ports/event-bus.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { OrderQueue } from '../ports/order-queue.js';
import type { OutboundMessage, QueueMessage, SendResult, VisibilityChange } from '../ports/queue-message.js';
import type { CircuitBreakers } from './circuit-breakers.js';

/*
 * Decorators that send every call of a port through the breaker of the service behind it, whichever
 * adapter (AWS or in memory) is inside. Plain classes: the composition root builds them in a factory.
 */

/**
 * A batch call that sent nothing and whose entries failed is a failed call, even though the adapter
 * returned instead of throwing: the breaker must hear about a service that throttles every entry.
 * Any entry that got through means the service answered.
 */
export function batchFailureCategory(succeeded: number, failures: readonly { readonly category: ErrorCategory }[]): ErrorCategory | undefined {
  const first = failures[0];
  if (succeeded > 0 || first === undefined) return undefined;
  return failures.find((failure) => RETRY_POLICIES[failure.category].tripsBreaker)?.category ?? first.category;
}

const sendFailure = (result: SendResult): ErrorCategory | undefined => batchFailureCategory(result.sent.length, result.failed);
const publishFailure = (result: PublishEventsResult): ErrorCategory | undefined =>
  batchFailureCategory(result.published.length, result.failed);

export class GuardedOrderQueue implements OrderQueue {
  private readonly service: ServiceName = 'sqs';

  constructor(
    private readonly inner: OrderQueue,
    private readonly breakers: CircuitBreakers,
  ) {}

  send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return this.breakers.run(this.service, () => this.inner.send(messages), { failureOf: sendFailure });
  }

  changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    return this.breakers.run(this.service, () => this.inner.changeVisibility(changes));
  }
}

export class GuardedDeadLetterQueue implements DeadLetterQueue {
  private readonly service: ServiceName = 'sqs';

  constructor(
    private readonly inner: DeadLetterQueue,
    private readonly breakers: CircuitBreakers,
  ) {}

  send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return this.breakers.run(this.service, () => this.inner.send(messages), { failureOf: sendFailure });
  }

  receive(max: number, visibilityTimeoutSeconds: number): Promise<readonly QueueMessage[]> {
    return this.breakers.run(this.service, () => this.inner.receive(max, visibilityTimeoutSeconds));
  }

  delete(receiptHandles: readonly string[]): Promise<readonly string[]> {
    return this.breakers.run(this.service, () => this.inner.delete(receiptHandles));
  }
}

export class GuardedIdempotencyStore implements IdempotencyStore {
  private readonly service: ServiceName = 'dynamodb';

  constructor(
    private readonly inner: IdempotencyStore,
    private readonly breakers: CircuitBreakers,
  ) {}

  claim(request: ClaimRequest): Promise<ClaimDecision> {
    return this.breakers.run(this.service, () => this.inner.claim(request));
  }

  recordOutcome(key: string, ownerToken: string, outcome: OutcomeSummary, now: number): Promise<IdempotencyRecord> {
    return this.breakers.run(this.service, () => this.inner.recordOutcome(key, ownerToken, outcome, now));
  }

  complete(key: string, ownerToken: string, now: number): Promise<IdempotencyRecord> {
    return this.breakers.run(this.service, () => this.inner.complete(key, ownerToken, now));
  }

  fail(key: string, ownerToken: string, failure: FailureInfo, park: boolean, now: number): Promise<IdempotencyRecord> {
    return this.breakers.run(this.service, () => this.inner.fail(key, ownerToken, failure, park, now));
  }

  park(key: string, failure: FailureInfo, now: number): Promise<IdempotencyRecord | undefined> {
    return this.breakers.run(this.service, () => this.inner.park(key, failure, now));
  }

  get(key: string, now: number): Promise<IdempotencyRecord | undefined> {
    return this.breakers.run(this.service, () => this.inner.get(key, now));
  }
}

export class GuardedEventBus implements EventBus {
  private readonly service: ServiceName = 'eventbridge';

  constructor(
    private readonly inner: EventBus,
    private readonly breakers: CircuitBreakers,
  ) {}

  publish(events: readonly PipelineEvent[]): Promise<PublishEventsResult> {
    return this.breakers.run(this.service, () => this.inner.publish(events), { failureOf: publishFailure });
  }
}
