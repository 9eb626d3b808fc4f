import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { OutboundMessage, QueueMessage, SendResult } from '../../application/ports/queue-message.js';
import { SQS_MAX_BATCH_ENTRIES } from '../../domain/batch-packing.js';
import type { InMemorySqs } from './in-memory-sqs.js';
import { sendPackedMessages } from './send-packed-messages.js';
import { SqsServiceError } from './sqs-service-error.js';

/** The order queue's dead-letter queue over the in-memory broker. */
export class MemoryDeadLetterQueue implements DeadLetterQueue {
  constructor(
    private readonly sqs: InMemorySqs,
    private readonly queueName: string,
  ) {}

  async send(messages: readonly OutboundMessage[]): Promise<SendResult> {
    return sendPackedMessages(this.sqs, this.queueName, messages);
  }

  /** Pages through ReceiveMessage's 10-per-call limit until `max` messages or an empty page. */
  async receive(max: number, visibilityTimeoutSeconds: number): Promise<readonly QueueMessage[]> {
    const received: QueueMessage[] = [];
    for (let wanted = Math.floor(max); wanted > 0; wanted = Math.floor(max) - received.length) {
      const page = this.sqs.receiveMessages(this.queueName, {
        maxMessages: Math.min(wanted, SQS_MAX_BATCH_ENTRIES),
        visibilityTimeoutSeconds,
      });
      if (page.length === 0) break;
      received.push(...page);
    }
    return received;
  }

  async delete(receiptHandles: readonly string[]): Promise<readonly string[]> {
    const undeleted: string[] = [];
    for (let start = 0; start < receiptHandles.length; start += SQS_MAX_BATCH_ENTRIES) {
      const entries = receiptHandles.slice(start, start + SQS_MAX_BATCH_ENTRIES).map((receiptHandle, index) => ({ id: `d${index}`, receiptHandle }));
      try {
        const { failed } = this.sqs.deleteMessageBatch(this.queueName, entries);
        const failedIds = new Set(failed.map((failure) => failure.id));
        undeleted.push(...entries.filter((entry) => failedIds.has(entry.id)).map((entry) => entry.receiptHandle));
      } catch (error) {
        if (!(error instanceof SqsServiceError)) throw error;
        undeleted.push(...entries.map((entry) => entry.receiptHandle));
      }
    }
    return undeleted;
  }
}
