import type { Clock } from '../../../application/ports/clock.js';
import type { InMemorySqs } from '../../../adapters/memory/in-memory-sqs.js';
import { chunks, type DeleteFailure, type PolledQueue, type ReceivedMessage } from './polled-queue.js';

const SQS_BATCH_LIMIT = 10;
/** Forgetting the oldest first-receive times beyond this keeps a long run's memory flat (messages the DLQ took are never deleted here). */
const REMEMBERED_MESSAGES = 50_000;

/** The in-memory broker's queue, polled as Lambda polls SQS. */
export class MemoryPolledQueue implements PolledQueue {
  readonly arn: string;
  readonly region = 'local';
  /** messageId → first receive time and latest receipt handle. */
  private readonly seen = new Map<string, { readonly firstReceivedAt: number; handle: string }>();
  private readonly messageIdByHandle = new Map<string, string>();

  constructor(
    private readonly sqs: InMemorySqs,
    private readonly queueName: string,
    private readonly clock: Clock,
  ) {
    this.arn = `arn:aws:sqs:local:000000000000:${queueName}`;
  }

  async receive(max: number): Promise<readonly ReceivedMessage[]> {
    const now = this.clock.now();
    return this.sqs.receiveMessages(this.queueName, { maxMessages: max }).map((message) => ({
      ...message,
      firstReceivedAt: this.remember(message.messageId, message.receiptHandle, now),
      senderId: 'AIDALOCALHARNESS',
    }));
  }

  async deleteBatch(receiptHandles: readonly string[]): Promise<readonly DeleteFailure[]> {
    const failures: DeleteFailure[] = [];
    for (const batch of chunks(receiptHandles, SQS_BATCH_LIMIT)) {
      const entries = batch.map((receiptHandle, index) => ({ id: `d${index}`, receiptHandle }));
      const result = this.sqs.deleteMessageBatch(this.queueName, entries);
      for (const failed of result.failed) {
        failures.push({
          receiptHandle: entries[Number(failed.id.slice(1))]?.receiptHandle ?? '',
          reason: `${failed.code}: ${failed.message}`,
        });
      }
    }
    for (const handle of receiptHandles) this.forget(handle);
    return failures;
  }

  async release(receiptHandles: readonly string[]): Promise<void> {
    for (const batch of chunks(receiptHandles, SQS_BATCH_LIMIT)) {
      this.sqs.changeMessageVisibilityBatch(
        this.queueName,
        batch.map((receiptHandle, index) => ({ id: `r${index}`, receiptHandle, visibilityTimeoutSeconds: 0 })),
      );
    }
  }

  async changeVisibility(receiptHandle: string, timeoutSeconds: number): Promise<void> {
    this.sqs.changeMessageVisibility(this.queueName, receiptHandle, timeoutSeconds);
  }

  private remember(messageId: string, receiptHandle: string, now: number): number {
    const known = this.seen.get(messageId);
    if (known !== undefined) {
      this.messageIdByHandle.delete(known.handle);
      known.handle = receiptHandle;
      this.messageIdByHandle.set(receiptHandle, messageId);
      return known.firstReceivedAt;
    }
    if (this.seen.size >= REMEMBERED_MESSAGES) {
      const [oldestId, oldest] = this.seen.entries().next().value ?? [];
      if (oldestId !== undefined && oldest !== undefined) {
        this.seen.delete(oldestId);
        this.messageIdByHandle.delete(oldest.handle);
      }
    }
    this.seen.set(messageId, { firstReceivedAt: now, handle: receiptHandle });
    this.messageIdByHandle.set(receiptHandle, messageId);
    return now;
  }

  private forget(receiptHandle: string): void {
    const messageId = this.messageIdByHandle.get(receiptHandle);
    if (messageId === undefined) return;
    this.messageIdByHandle.delete(receiptHandle);
    this.seen.delete(messageId);
  }
}
