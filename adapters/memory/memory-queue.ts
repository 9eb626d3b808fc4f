import type { OutboundMessage, QueueMessage, SendResult, VisibilityChange } from '../../application/ports/queue-message.js';
import { SQS_MAX_BATCH_ENTRIES } from '../../domain/batch-packing.js';
import { changeVisibilityInBatches } from './change-visibility-in-batches.js';
import type { InMemorySqs } from './in-memory-sqs.js';
import { sendPackedMessages } from './send-packed-messages.js';
import { SqsServiceError } from './sqs-service-error.js';

/** Everything the pipeline does with one queue of the in-memory broker; the port classes pick their part. */
export class MemoryQueue {
  constructor(
    private readonly sqs: InMemorySqs,
    readonly queueName: string,
  ) {}

  send(messages: readonly OutboundMessage[]): SendResult {
    return sendPackedMessages(this.sqs, this.queueName, messages);
  }

  /** Pages through ReceiveMessage's 10-per-call limit until `max` messages or an empty page. */
  receive(max: number, visibilityTimeoutSeconds: number): QueueMessage[] {
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

  /**
   * DeleteMessageBatch in groups of 10; returns the receipt handles that could not be deleted. A refused
   * call is thrown while nothing was deleted, as the SQS adapter does; after that, it leaves the rest
   * undeleted.
   */
  delete(receiptHandles: readonly string[]): string[] {
    const undeleted: string[] = [];
    let deleted = 0;
    for (let start = 0; start < receiptHandles.length; start += SQS_MAX_BATCH_ENTRIES) {
      const entries = receiptHandles
        .slice(start, start + SQS_MAX_BATCH_ENTRIES)
        .map((receiptHandle, index) => ({ id: `d${index}`, receiptHandle }));
      try {
        const result = this.sqs.deleteMessageBatch(this.queueName, entries);
        deleted += result.successful.length;
        const failedIds = new Set(result.failed.map((failure) => failure.id));
        undeleted.push(...entries.filter((entry) => failedIds.has(entry.id)).map((entry) => entry.receiptHandle));
      } catch (error) {
        if (!(error instanceof SqsServiceError) || deleted === 0) throw error;
        undeleted.push(...receiptHandles.slice(start));
        break;
      }
    }
    return undeleted;
  }

  changeVisibility(changes: readonly VisibilityChange[]): void {
    changeVisibilityInBatches(this.sqs, this.queueName, changes);
  }
}
