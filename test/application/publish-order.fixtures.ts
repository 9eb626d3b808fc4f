import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { OutboundMessage, SendResult } from '../../application/ports/queue-message.js';

/** A queue that refuses every entry as SQS reports it in a 200 SendMessageBatch response. */
export class RefusingQueue implements OrderQueue {
  constructor(private readonly failure: { code: string; category: 'TRANSIENT' | 'PERMANENT' }) {}
  async send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return {
      sent: [],
      failed: messages.map((m) => ({ id: m.id, code: this.failure.code, category: this.failure.category, message: 'refused' })),
    };
  }
  async changeVisibility(): Promise<void> {}
}
