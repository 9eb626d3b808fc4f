import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { OutboundMessage, QueueMessage, SendResult, VisibilityChange } from '../../application/ports/queue-message.js';
import { SqsQueue, type SqsQueueOptions } from './sqs-queue.js';

/** The order queue's dead-letter queue on SQS, where the redrive reads parked orders. */
export class SqsDeadLetterQueue implements DeadLetterQueue {
  private readonly queue: SqsQueue;

  constructor(options: SqsQueueOptions) {
    this.queue = new SqsQueue(options);
  }

  send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return this.queue.send(messages);
  }

  receive(max: number, visibilityTimeoutSeconds: number): Promise<readonly QueueMessage[]> {
    return this.queue.receive(max, visibilityTimeoutSeconds);
  }

  delete(receiptHandles: readonly string[]): Promise<readonly string[]> {
    return this.queue.delete(receiptHandles);
  }

  /** Holds DLQ messages back, e.g. while the redrive's target queue is unavailable. */
  changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    return this.queue.changeVisibility(changes);
  }
}
