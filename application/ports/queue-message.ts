import type { ErrorCategory } from '../../domain/error-category.js';

/** A message as a consumer sees it (SQS ReceiveMessage, or a record of an SQS Lambda event). */
export interface QueueMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** String message attributes (SQS MessageAttributes with DataType String). */
  readonly attributes: Readonly<Record<string, string>>;
  /** ApproximateReceiveCount: 1 on first delivery. */
  readonly receiveCount: number;
  /** SentTimestamp in epoch milliseconds. */
  readonly sentAt: number;
}

/** A message to send. `id` is the batch entry id (≤ 80 chars of [A-Za-z0-9_-]), unique within a call. */
export interface OutboundMessage {
  readonly id: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** 0–900 seconds. */
  readonly delaySeconds?: number;
  /**
   * MessageGroupId on a standard queue: the tenant, for SQS fair queues (the order queue adapters set the
   * order's customer when it is left out). Implies no ordering on a standard queue.
   */
  readonly groupId?: string;
}

export interface SendFailure {
  readonly id: string;
  readonly code: string;
  readonly category: ErrorCategory;
  readonly message: string;
}

/**
 * Partial failure is a normal result, not an exception: every entry ends up in exactly one of the
 * two lists. An adapter throws only when it could not learn the fate of the entries at all.
 */
export interface SendResult {
  readonly sent: readonly { readonly id: string; readonly messageId: string }[];
  readonly failed: readonly SendFailure[];
}

export interface VisibilityChange {
  readonly receiptHandle: string;
  /** 0–43 200 seconds. */
  readonly timeoutSeconds: number;
}
