import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { OutboundMessage, SendResult, VisibilityChange } from '../../application/ports/queue-message.js';
import { changeVisibilityInBatches } from './change-visibility-in-batches.js';
import type { InMemorySqs } from './in-memory-sqs.js';
import { sendPackedMessages } from './send-packed-messages.js';

/** The order queue over the in-memory broker. */
export class MemoryOrderQueue implements OrderQueue {
  constructor(
    private readonly sqs: InMemorySqs,
    private readonly queueName: string,
  ) {}

  async send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return sendPackedMessages(this.sqs, this.queueName, messages);
  }

  async changeVisibility(changes: readonly VisibilityChange[]): Promise<void> {
    changeVisibilityInBatches(this.sqs, this.queueName, changes);
  }
}
