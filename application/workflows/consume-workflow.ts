import type { ClaimDecision } from '../../domain/idempotency.js';
import {
  catchEverythingAfterClaim,
  catchNonRetryable,
  HOLD_BACK_RETRY,
  INVOCATION_RETRY,
  IDEMPOTENCY_STEP_RETRY,
  REQUEUE_RETRY,
} from './step-policies.js';
import type { WorkflowDefinition } from './workflow-definition.js';

/** Where each idempotency decision leads. Typed over every decision kind, so a new kind cannot go unrouted. */
export const CLAIM_ROUTES: Readonly<Record<ClaimDecision['kind'], string>> = {
  PROCEED: 'ProcessOrder',
  ALREADY_SUCCEEDED: 'AlreadyDone',
  // Parked again, not acknowledged: the record may have been marked PARKED by an execution whose own
  // send to the DLQ then failed, and acknowledging this copy would lose the order.
  PARKED: 'ParkRecorded',
  IN_PROGRESS: 'HeldByAnotherWorker',
  CONFLICT: 'ParkConflict',
};

/** The idempotency step's output field the workflow branches on. */
export const CLAIM_DECISION_FIELD = ['claim', 'decision', 'kind'] as const;

/** The release step's output field: RETRY (the queue redelivers) or PARK (not retryable, or the category's attempts are spent). */
export const RELEASE_VERDICT_FIELD = ['release', 'verdict'] as const;
/** Where a RETRY verdict of the release step puts the backoff delay, in whole seconds (the worker's, for this attempt). */
export const RELEASE_DELAY_PATH = ['release', 'delaySeconds'] as const;
/** Where the release step puts the failure (`{ category, code }`) it recorded. */
export const RELEASE_FAILURE_PATH = ['release', 'failure'] as const;
/** Where the claim step puts a PARKED record's failure. */
export const CLAIM_FAILURE_PATH = ['claim', 'lastError'] as const;

/**
 * Orchestrated consumption of one order-queue record (delivered by an EventBridge Pipe): claim the
 * idempotency key, and only when the claim says PROCEED run the business step and complete the claim with
 * its outcome and events (the outbox: no step calls the event bus; the relay delivers them).
 * Every failure after the claim releases it at once with the failure recorded (the idempotency function
 * again, as ReleaseClaim), as the composed worker does: while the category has attempts left the
 * message is held back for the backoff delay the release drew (the worker's policy and bounds, for this
 * attempt), the execution fails, and the queue redelivers the message after that delay (moving it to the
 * DLQ after maxReceiveCount receives); a failure that can never succeed, or one whose attempts are spent, is parked in the DLQ with
 * the category and code the release recorded. A failure of the claim step itself has no claim to release.
 */
export const CONSUME_WORKFLOW: WorkflowDefinition = {
  name: 'consume',
  comment: 'Claim the idempotency key, process the order and commit it with its events (the outbox relay delivers them)',
  input: { kind: 'queue-record', key: 'message' },
  startAt: 'ClaimIdempotency',
  steps: {
    ClaimIdempotency: {
      type: 'task',
      function: 'idempotency',
      resultKey: 'claim',
      next: 'RouteClaimDecision',
      retry: [IDEMPOTENCY_STEP_RETRY],
      catch: [catchNonRetryable('Park')],
    },
    RouteClaimDecision: {
      type: 'choice',
      field: CLAIM_DECISION_FIELD,
      cases: Object.entries(CLAIM_ROUTES).map(([equals, next]) => ({ equals, next })),
      otherwise: 'UnknownClaimDecision',
    },
    ProcessOrder: {
      type: 'task',
      function: 'processor',
      resultKey: 'processed',
      next: 'Done',
      retry: [INVOCATION_RETRY],
      catch: [catchEverythingAfterClaim('ReleaseClaim')],
    },
    ReleaseClaim: {
      type: 'task',
      function: 'idempotency',
      resultKey: 'release',
      next: 'RouteReleaseVerdict',
      retry: [IDEMPOTENCY_STEP_RETRY],
      // The release itself failing (the table refused the write) parks nothing: the execution fails with
      // its error and the queue redelivers the message.
      catch: [catchNonRetryable('RetryLater')],
    },
    RouteReleaseVerdict: {
      type: 'choice',
      field: RELEASE_VERDICT_FIELD,
      cases: [
        { equals: 'PARK', next: 'ParkReleased' },
        { equals: 'RETRY', next: 'HoldBackForRetry' },
      ],
      otherwise: 'RetryLater',
    },
    HoldBackForRetry: {
      type: 'hold-back',
      delaySecondsPath: RELEASE_DELAY_PATH,
      retry: HOLD_BACK_RETRY,
      next: 'RetryLater',
      // Left as it is, the message would come back only once the visibility timeout it was received with
      // runs out, minutes after its backoff: its retry travels in a copy delayed by the backoff instead.
      onError: 'RequeueForRetry',
    },
    RequeueForRetry: {
      type: 'requeue',
      delaySecondsPath: RELEASE_DELAY_PATH,
      retry: REQUEUE_RETRY,
      next: 'Requeued',
      // SQS refusing the copy too loses nothing: the execution fails, and the queue redelivers the original
      // once its visibility timeout runs out (later than the backoff, never lost).
      onError: 'RetryLater',
    },
    Requeued: { type: 'succeed', comment: 'The retry travels in a copy delayed by the backoff; the original is acknowledged' },
    RetryLater: { type: 'fail', error: { source: 'caught' } },
    ParkReleased: { type: 'park', reason: { source: 'state', path: RELEASE_FAILURE_PATH } },
    ParkRecorded: { type: 'park', reason: { source: 'state', path: CLAIM_FAILURE_PATH } },
    Done: { type: 'succeed', comment: 'Processed: the outcome and its events are committed; the outbox relay announces them' },
    AlreadyDone: { type: 'succeed', comment: 'A duplicate of a message already processed: acknowledged, not worked again' },
    HeldByAnotherWorker: {
      type: 'fail',
      error: {
        source: 'fixed',
        name: 'Pipeline.IN_PROGRESS',
        cause: 'another consumer holds the idempotency lease; the queue redelivers the message later',
      },
    },
    ParkConflict: { type: 'park', reason: { source: 'fixed', category: 'VALIDATION', code: 'IDEMPOTENCY.KEY_REUSED' } },
    Park: { type: 'park', reason: { source: 'caught' } },
    UnknownClaimDecision: {
      type: 'fail',
      error: { source: 'fixed', name: 'Pipeline.UNKNOWN', cause: 'the idempotency step returned a decision this workflow does not know' },
    },
  },
};
