import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { OutboundMessage, QueueMessage, SendResult, VisibilityChange } from '../../application/ports/queue-message.js';
import type { InMemorySqs } from './in-memory-sqs.js';
import { tenantOf } from '../../application/orders/order-message.js';
import { MemoryQueue } from './memory-queue.js';

/**
 * The order queue over the in-memory broker. Like the SQS adapter it can also receive and delete, which
 * the local harness uses to play the Lambda event source; the worker itself never does.
 */
export class MemoryOrderQueue implements OrderQueue {
  private readonly queue: MemoryQueue;

  constructor(sqs: InMemorySqs, queueName: string) {
    this.queue = new MemoryQueue(sqs, queueName);
  }

  /** As on SQS: every order carries its customer as MessageGroupId unless the caller named one. */
  async send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return this.queue.send(messages.map((message) => ({ ...message, groupId: message.groupId ?? tenantOf(message.body) })));
  }

  async changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    this.queue.changeVisibility(changes);
  }

  async receive(max: number, visibilityTimeoutSeconds: number): Promise<readonly QueueMessage[]> {
    return this.queue.receive(max, visibilityTimeoutSeconds);
  }

  async delete(receiptHandles: readonly string[]): Promise<readonly string[]> {
    return this.queue.delete(receiptHandles);
  }
}
