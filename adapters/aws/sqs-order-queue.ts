import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { OutboundMessage, QueueMessage, SendResult, VisibilityChange } from '../../application/ports/queue-message.js';
import { tenantOf } from '../../application/orders/order-message.js';
import { SqsQueue, type SqsQueueOptions } from './sqs-queue.js';

/**
 * The order queue on SQS. Beyond the port it can receive and delete, which the local harness uses to
 * play the Lambda event source; the worker itself never does (the event source deletes).
 */
export class SqsOrderQueue implements OrderQueue {
  private readonly queue: SqsQueue;

  constructor(options: SqsQueueOptions) {
    this.queue = new SqsQueue(options);
  }

  /** Every order carries its customer as MessageGroupId (SQS fair queues), unless the caller named one. */
  send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return this.queue.send(messages.map((message) => ({ ...message, groupId: message.groupId ?? tenantOf(message.body) })));
  }

  changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    return this.queue.changeVisibility(changes);
  }

  receive(max: number, visibilityTimeoutSeconds: number): Promise<readonly QueueMessage[]> {
    return this.queue.receive(max, visibilityTimeoutSeconds);
  }

  delete(receiptHandles: readonly string[]): Promise<readonly string[]> {
    return this.queue.delete(receiptHandles);
  }
}
