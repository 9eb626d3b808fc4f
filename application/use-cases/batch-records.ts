import type { FailureInfo } from '../../domain/idempotency.js';
import type { OrderEnvelope } from '../orders/order-message.js';
import type { QueueMessage } from '../ports/queue-message.js';
import { holdSeconds } from '../resilience/breaker-hold.js';

/* What the worker (work-order-batch.ts) takes and reports per record, and what it keeps of each while it works the batch. */

export interface WorkOrderBatchInput {
  readonly messages: readonly QueueMessage[];
  readonly requestId: string;
  /** Invocation time left (Lambda's getRemainingTimeInMillis); undefined outside Lambda. */
  readonly remainingTimeMs: () => number | undefined;
}

/**
 * REQUEUED: a record to be retried whose backoff could not be set on it; a copy was sent with the backoff
 * as its DelaySeconds instead, and the record itself is acknowledged (see `holdBack`).
 */
export type RecordStatus = 'SUCCEEDED' | 'DUPLICATE' | 'PARKED' | 'RETRY' | 'HELD' | 'REQUEUED';

export interface RecordOutcome {
  readonly messageId: string;
  readonly status: RecordStatus;
  readonly failure?: FailureInfo;
}

export interface WorkOrderBatchResult {
  /** Message ids to return to the queue: the SQS partial batch response. */
  readonly batchItemFailures: readonly string[];
  readonly outcomes: readonly RecordOutcome[];
}

/** A message the worker holds the claim of. */
export interface Claimed {
  readonly message: QueueMessage;
  readonly envelope: OrderEnvelope;
  readonly ownerToken: string;
  readonly attempt: number;
}

export interface Done {
  readonly done: RecordOutcome;
  readonly delaySeconds?: number;
}

/** A record to work in this round; `dueAt`: not before then (its backoff, kept in the invocation). */
export interface Pending {
  readonly message: QueueMessage;
  readonly dueAt?: number;
}

export function held(message: QueueMessage, retryAfterMs: number): Done {
  return {
    done: { messageId: message.messageId, status: 'HELD' },
    ...(retryAfterMs > 0 ? { delaySeconds: holdSeconds(retryAfterMs) } : {}),
  };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
