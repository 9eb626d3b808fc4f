import type { ClaimDecision } from '../../domain/idempotency.js';
import { catchNonRetryable, catchRetryableAfterClaim, INVOCATION_RETRY } from './step-policies.js';
import type { WorkflowDefinition } from './workflow-definition.js';

/** Where each idempotency decision leads. Typed over every decision kind, so a new kind cannot go unrouted. */
export const CLAIM_ROUTES: Readonly<Record<ClaimDecision['kind'], string>> = {
  PROCEED: 'ProcessOrder',
  ALREADY_SUCCEEDED: 'AlreadyDone',
  PARKED: 'AlreadyDone',
  IN_PROGRESS: 'HeldByAnotherWorker',
  CONFLICT: 'ParkConflict',
};

/** The idempotency step's output field the workflow branches on. */
export const CLAIM_DECISION_FIELD = ['claim', 'decision', 'kind'] as const;

/** The release step's output field: RETRY (the queue redelivers) or PARK (the category's attempts are spent). */
export const RELEASE_VERDICT_FIELD = ['release', 'verdict'] as const;

/**
 * Orchestrated consumption of one order-queue record (delivered by an EventBridge Pipe): claim the
 * idempotency key, and only when the claim says PROCEED run the business step and publish its events.
 * Failures that can never succeed are parked in the DLQ with their category. Any other failure after the
 * claim releases it at once with the failure recorded (the idempotency function again, as ReleaseClaim):
 * while the category has attempts left the execution fails and the queue redelivers the message (moving
 * it to the DLQ after maxReceiveCount receives); when they are spent the message is parked.
 */
export const CONSUME_WORKFLOW: WorkflowDefinition = {
  name: 'consume',
  comment: 'Claim the idempotency key, process the order, publish its events',
  input: { kind: 'queue-record', key: 'message' },
  startAt: 'ClaimIdempotency',
  steps: {
    ClaimIdempotency: {
      type: 'task',
      function: 'idempotency',
      resultKey: 'claim',
      next: 'RouteClaimDecision',
      retry: [INVOCATION_RETRY],
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
      next: 'PublishEvents',
      retry: [INVOCATION_RETRY],
      catch: [catchNonRetryable('Park'), catchRetryableAfterClaim('ReleaseClaim')],
    },
    PublishEvents: {
      type: 'task',
      function: 'events',
      resultKey: 'published',
      next: 'Done',
      retry: [INVOCATION_RETRY],
      catch: [catchNonRetryable('Park'), catchRetryableAfterClaim('ReleaseClaim')],
    },
    ReleaseClaim: {
      type: 'task',
      function: 'idempotency',
      resultKey: 'release',
      next: 'RouteReleaseVerdict',
      retry: [INVOCATION_RETRY],
      catch: [catchNonRetryable('Park')],
    },
    RouteReleaseVerdict: {
      type: 'choice',
      field: RELEASE_VERDICT_FIELD,
      cases: [{ equals: 'PARK', next: 'Park' }, { equals: 'RETRY', next: 'RetryLater' }],
      otherwise: 'RetryLater',
    },
    RetryLater: { type: 'fail', error: { source: 'caught' } },
    Done: { type: 'succeed', comment: 'Processed and announced' },
    AlreadyDone: { type: 'succeed', comment: 'A duplicate of a message already processed or parked: acknowledged, not worked again' },
    HeldByAnotherWorker: {
      type: 'fail',
      error: { source: 'fixed', name: 'Pipeline.IN_PROGRESS', cause: 'another consumer holds the idempotency lease; the queue redelivers the message later' },
    },
    ParkConflict: { type: 'park', reason: { source: 'fixed', category: 'VALIDATION', code: 'IDEMPOTENCY.KEY_REUSED' } },
    Park: { type: 'park', reason: { source: 'caught' } },
    UnknownClaimDecision: {
      type: 'fail',
      error: { source: 'fixed', name: 'Pipeline.UNKNOWN', cause: 'the idempotency step returned a decision this workflow does not know' },
    },
  },
};
