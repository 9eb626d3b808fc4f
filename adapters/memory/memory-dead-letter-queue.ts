import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { OutboundMessage, QueueMessage, SendResult, VisibilityChange } from '../../application/ports/queue-message.js';
import type { InMemorySqs } from './in-memory-sqs.js';
import { MemoryQueue } from './memory-queue.js';

/** The order queue's dead-letter queue over the in-memory broker. */
export class MemoryDeadLetterQueue implements DeadLetterQueue {
  private readonly queue: MemoryQueue;

  constructor(sqs: InMemorySqs, queueName: string) {
    this.queue = new MemoryQueue(sqs, queueName);
  }

  async send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return this.queue.send(messages);
  }

  async receive(max: number, visibilityTimeoutSeconds: number): Promise<readonly QueueMessage[]> {
    return this.queue.receive(max, visibilityTimeoutSeconds);
  }

  async delete(receiptHandles: readonly string[]): Promise<readonly string[]> {
    return this.queue.delete(receiptHandles);
  }

  /** Holds DLQ messages back, e.g. while the redrive's target queue is unavailable. */
  async changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    this.queue.changeVisibility(changes);
  }
}
