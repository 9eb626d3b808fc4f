import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { EventBus, PublishEventsResult } from '../../application/ports/event-bus.js';
import type { IdempotencyStore, ReplayAnswer } from '../../application/ports/idempotency-store.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { QueueMessage, SendResult } from '../../application/ports/queue-message.js';
import type { ClaimDecision, IdempotencyRecord } from '../../domain/idempotency.js';
import type { ReservationDecision } from '../../domain/idempotency-reservation.js';
import { never } from '../emulation/lambda/invocation.js';
import type { FaultInjection } from './faults.js';

/*
 * Fault decorators over the adapters, bound in place of them (ADAPTERS tokens), so the breakers, the
 * classifier and the use cases above see the faults as they would see a failing service, on either
 * backend. Each call is named after the API operation it stands for.
 */

export class FaultyOrderQueue implements OrderQueue {
  constructor(
    private readonly inner: OrderQueue,
    private readonly faults: FaultInjection,
  ) {}

  send(...args: Parameters<OrderQueue['send']>): Promise<SendResult> {
    return this.faults.around('sqs', 'SendMessageBatch', () => this.inner.send(...args));
  }

  changeVisibility(...args: Parameters<OrderQueue['changeVisibility']>): Promise<void> {
    return this.faults.around('sqs', 'ChangeMessageVisibilityBatch', () => this.inner.changeVisibility(...args));
  }
}

export class FaultyDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly inner: DeadLetterQueue,
    private readonly faults: FaultInjection,
  ) {}

  send(...args: Parameters<DeadLetterQueue['send']>): Promise<SendResult> {
    return this.faults.around('sqs', 'SendMessageBatch', () => this.inner.send(...args));
  }

  receive(...args: Parameters<DeadLetterQueue['receive']>): Promise<readonly QueueMessage[]> {
    return this.faults.around('sqs', 'ReceiveMessage', () => this.inner.receive(...args));
  }

  delete(...args: Parameters<DeadLetterQueue['delete']>): Promise<readonly string[]> {
    return this.faults.around('sqs', 'DeleteMessageBatch', () => this.inner.delete(...args));
  }
}

export class FaultyIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly inner: IdempotencyStore,
    private readonly faults: FaultInjection,
  ) {}

  claim(...args: Parameters<IdempotencyStore['claim']>): Promise<ClaimDecision> {
    return this.faults.around('dynamodb', 'PutItem', () => this.inner.claim(...args));
  }

  /** The reservation is where `--crash-after reserve` strikes: written, and the edge dies before sending its message. */
  async reserve(...args: Parameters<IdempotencyStore['reserve']>): Promise<ReservationDecision> {
    const decision = await this.faults.around('dynamodb', 'PutItem', () => this.inner.reserve(...args));
    if (decision.kind === 'RESERVED' && this.faults.crashesAt('reserve')) return never();
    return decision;
  }

  releaseReservation(...args: Parameters<IdempotencyStore['releaseReservation']>): Promise<boolean> {
    return this.faults.around('dynamodb', 'DeleteItem', () => this.inner.releaseReservation(...args));
  }

  findAwaitingSend(...args: Parameters<IdempotencyStore['findAwaitingSend']>): Promise<IdempotencyRecord[]> {
    return this.faults.around('dynamodb', 'Query', () => this.inner.findAwaitingSend(...args));
  }

  markReservationSent(...args: Parameters<IdempotencyStore['markReservationSent']>): Promise<boolean> {
    return this.faults.around('dynamodb', 'UpdateItem', () => this.inner.markReservationSent(...args));
  }

  recordOutcome(...args: Parameters<IdempotencyStore['recordOutcome']>): Promise<IdempotencyRecord> {
    return this.faults.around('dynamodb', 'UpdateItem', () => this.inner.recordOutcome(...args));
  }

  /** The completion write is where `--crash-after process` strikes: the business step ran, its record stays INFLIGHT. */
  complete(...args: Parameters<IdempotencyStore['complete']>): Promise<IdempotencyRecord> {
    if (this.faults.crashesAt('process')) return never();
    return this.faults.around('dynamodb', 'UpdateItem', () => this.inner.complete(...args));
  }

  fail(...args: Parameters<IdempotencyStore['fail']>): Promise<IdempotencyRecord> {
    return this.faults.around('dynamodb', 'UpdateItem', () => this.inner.fail(...args));
  }

  park(...args: Parameters<IdempotencyStore['park']>): Promise<IdempotencyRecord | undefined> {
    return this.faults.around('dynamodb', 'UpdateItem', () => this.inner.park(...args));
  }

  markDelivered(...args: Parameters<IdempotencyStore['markDelivered']>): Promise<IdempotencyRecord | undefined> {
    return this.faults.around('dynamodb', 'UpdateItem', () => this.inner.markDelivered(...args));
  }

  replay(...args: Parameters<IdempotencyStore['replay']>): Promise<ReplayAnswer> {
    return this.faults.around('dynamodb', 'PutItem', () => this.inner.replay(...args));
  }

  find(...args: Parameters<IdempotencyStore['find']>): Promise<IdempotencyRecord[]> {
    return this.faults.around('dynamodb', 'Scan', () => this.inner.find(...args));
  }

  get(...args: Parameters<IdempotencyStore['get']>): Promise<IdempotencyRecord | undefined> {
    return this.faults.around('dynamodb', 'GetItem', () => this.inner.get(...args));
  }
}

export class FaultyEventBus implements EventBus {
  constructor(
    private readonly inner: EventBus,
    private readonly faults: FaultInjection,
  ) {}

  publish(...args: Parameters<EventBus['publish']>): Promise<PublishEventsResult> {
    return this.faults.around('eventbridge', 'PutEvents', () => this.inner.publish(...args));
  }
}
