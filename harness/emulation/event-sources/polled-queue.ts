import type { QueueMessage } from '../../../application/ports/queue-message.js';

/** A message as the event source's poller receives it, with the system attributes Lambda hands on. */
export interface ReceivedMessage extends QueueMessage {
  /** ApproximateFirstReceiveTimestamp, epoch ms. */
  readonly firstReceivedAt: number;
  readonly senderId: string;
}

export interface DeleteFailure {
  readonly receiptHandle: string;
  readonly reason: string;
}

/**
 * The queue an event source mapping polls: the in-memory broker or a real SQS queue. Only the poller's
 * own calls are here (ReceiveMessage with every attribute, DeleteMessageBatch, and putting back what
 * it cannot fit in a batch), and the state machine's hold-back of a record; they are Lambda's and Step
 * Functions', not the pipeline's adapters, so no fault is injected into them.
 */
export interface PolledQueue {
  readonly arn: string;
  readonly region: string;
  /** Up to `max` (1–10) visible messages; each becomes invisible for the queue's visibility timeout. */
  receive(max: number): Promise<readonly ReceivedMessage[]>;
  deleteBatch(receiptHandles: readonly string[]): Promise<readonly DeleteFailure[]>;
  /** Makes received messages visible again at once (visibility timeout 0). */
  release(receiptHandles: readonly string[]): Promise<void>;
  /**
   * Sets one received message's visibility timeout (ChangeMessageVisibility): what the consume workflow's
   * SQS integration calls to hold a record back for its backoff. Throws when the queue refuses it.
   */
  changeVisibility(receiptHandle: string, timeoutSeconds: number): Promise<void>;
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}
