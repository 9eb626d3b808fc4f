import type { SQSRecord } from 'aws-lambda';
import { classifyError } from '../../domain/error-classifier.js';
import { ValidationError } from '../../domain/errors.js';
import type { ClaimDecision, FailureInfo, OutcomeSummary } from '../../domain/idempotency.js';
import { parseOrderMessage, type OrderEnvelope } from '../../application/orders/order-message.js';
import type { QueueMessage } from '../../application/ports/queue-message.js';
import { stepErrorName, type StepFailure } from '../../application/workflows/step-error.js';
import { toQueueMessage } from './sqs-record.js';

/** The workflow state a consume step receives (see application/workflows/consume-workflow.ts). */
export interface ConsumeState {
  /** One order-queue record; EventBridge Pipes delivers it as a one-element array. */
  readonly message: SQSRecord | readonly SQSRecord[];
  readonly execution?: { readonly id?: string; readonly name?: string };
  readonly claim?: ClaimOutput;
  readonly processed?: { readonly outcome: OutcomeSummary };
  /** The error a Catch put in the state (CAUGHT_ERROR_KEY): present when the release step runs. */
  readonly error?: StepFailure;
}

/** What the idempotency step returns; the workflow branches on `decision.kind`. */
export interface ClaimOutput {
  readonly decision: {
    readonly kind: ClaimDecision['kind'];
    readonly attempt?: number;
    readonly resumed?: boolean;
    readonly retryAfterMs?: number;
  };
  readonly ownerToken: string;
  readonly recordedOutcome?: OutcomeSummary;
  /** Set when the decision is PARKED: the failure the record holds. */
  readonly lastError?: FailureInfo;
}

/** `Array.isArray` narrows a readonly array to `any[]`; this keeps the records' type. */
function isRecordList(message: ConsumeState['message']): message is readonly SQSRecord[] {
  return Array.isArray(message);
}

/** The queue record as the pipe delivered it (with its source queue's ARN and its receipt handle). */
export function recordOf(state: ConsumeState): SQSRecord {
  const record = isRecordList(state.message) ? state.message[0] : state.message;
  if (record === undefined || typeof record !== 'object') {
    throw new ValidationError('the workflow input holds no queue record', { code: 'STEP.NO_RECORD' });
  }
  return record;
}

export function messageOf(state: ConsumeState): QueueMessage {
  return toQueueMessage(recordOf(state));
}

export function envelopeOf(state: ConsumeState): OrderEnvelope {
  const parsed = parseOrderMessage(messageOf(state));
  if (!parsed.ok)
    throw new ValidationError('unreadable order message', { code: 'MESSAGE.INVALID', context: { violations: parsed.violations } });
  return parsed.envelope;
}

export function claimOf(state: ConsumeState): ClaimOutput {
  if (state.claim === undefined) throw new ValidationError('the workflow state holds no claim', { code: 'STEP.NO_CLAIM' });
  return state.claim;
}

/**
 * Re-throws any failure as an Error whose name is `Pipeline.<CATEGORY>`: Step Functions reads the Lambda
 * error type from it, and the workflow's Retry and Catch match on exactly that name.
 */
export async function asStep<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const { category, code, message } = classifyError(error);
    const stepError = new Error(`${code}: ${message}`);
    stepError.name = stepErrorName(category);
    throw stepError;
  }
}
