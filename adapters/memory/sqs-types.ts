import type { Clock } from '../../application/ports/clock.js';
import { SqsServiceError } from './sqs-service-error.js';

/* The shapes the in-memory broker (in-memory-sqs.ts) takes and answers, and its per-entry batch helpers. */

export interface RedrivePolicy {
  /** Name of a queue of the same broker. */
  readonly deadLetterQueue: string;
  /** A message received this many times is moved to the dead-letter queue instead of being delivered again. */
  readonly maxReceiveCount: number;
}

export interface QueueOptions {
  readonly visibilityTimeoutSeconds: number;
  readonly delaySeconds?: number;
  /** Counted as SQS counts (body, attribute names, types and values). Defaults to 1 MiB. */
  readonly maxMessageBytes?: number;
  readonly redrivePolicy?: RedrivePolicy;
}

export interface SqsSendRequest {
  readonly body: string;
  readonly attributes?: Readonly<Record<string, string>>;
  /** Overrides the queue's DelaySeconds; 0–900. */
  readonly delaySeconds?: number;
  /** MessageGroupId: on a standard queue, the fair-queue tenant (stored and shown; this broker models no fairness). */
  readonly groupId?: string;
}

export interface SqsSendBatchEntry extends SqsSendRequest {
  readonly id: string;
}

export interface SqsReceiptEntry {
  readonly id: string;
  readonly receiptHandle: string;
}

export interface SqsVisibilityEntry extends SqsReceiptEntry {
  readonly visibilityTimeoutSeconds: number;
}

/** A failed batch entry, as SQS reports it in `Failed`. */
export interface SqsBatchErrorEntry {
  readonly id: string;
  readonly code: string;
  readonly senderFault: boolean;
  readonly message: string;
}

export interface SqsSendBatchResult {
  readonly successful: readonly { readonly id: string; readonly messageId: string }[];
  readonly failed: readonly SqsBatchErrorEntry[];
}

export interface SqsBatchResult {
  readonly successful: readonly string[];
  readonly failed: readonly SqsBatchErrorEntry[];
}

export interface SqsReceiveRequest {
  /** 1–10; defaults to 1, as in SQS. */
  readonly maxMessages?: number;
  /** Overrides the queue's visibility timeout for this receive; 0–43 200. */
  readonly visibilityTimeoutSeconds?: number;
}

export interface QueueStats {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

export type StoredMessageState = 'VISIBLE' | 'IN_FLIGHT' | 'DELAYED';

export interface PeekedMessage {
  readonly messageId: string;
  readonly groupId?: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly receiveCount: number;
  readonly sentAt: number;
  /** Epoch ms from which the message can be received. */
  readonly visibleAt: number;
  readonly state: StoredMessageState;
}

export interface InMemorySqsOptions {
  readonly clock: Clock;
  /** Message id generator; UUIDs by default, a counter makes harness runs repeatable. */
  readonly newMessageId?: () => string;
}

export interface StoredMessage {
  readonly messageId: string;
  readonly groupId?: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly sentAt: number;
  visibleAt: number;
  receiveCount: number;
  /** Only the latest receive's handle works: SQS hands out a new one on every receive. */
  receiptHandle?: string;
  firstReceivedAt?: number;
}

export interface QueueState {
  readonly name: string;
  readonly options: Required<Omit<QueueOptions, 'redrivePolicy'>> & Pick<QueueOptions, 'redrivePolicy'>;
  readonly messages: Map<string, StoredMessage>;
  /** Handles of messages deleted with them: deleting again is a success, as in SQS. */
  readonly deletedHandles: Set<string>;
}

export function stateOf(message: StoredMessage, now: number): StoredMessageState {
  if (message.visibleAt <= now) return 'VISIBLE';
  return message.receiveCount > 0 ? 'IN_FLIGHT' : 'DELAYED';
}

export function eachEntry<T extends { readonly id: string }>(entries: readonly T[], apply: (entry: T) => void): SqsBatchResult {
  const successful: string[] = [];
  const failed: SqsBatchErrorEntry[] = [];
  for (const entry of entries) {
    try {
      apply(entry);
      successful.push(entry.id);
    } catch (error) {
      failed.push(batchError(entry.id, error));
    }
  }
  return { successful, failed };
}

export function batchError(id: string, error: unknown): SqsBatchErrorEntry {
  if (error instanceof SqsServiceError) {
    return { id, code: error.name, senderFault: error.$fault === 'client', message: error.message };
  }
  throw error;
}
