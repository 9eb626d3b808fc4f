import { inject, injectable } from 'inversify';
import { errorForCategory, PermanentError } from '../../domain/errors.js';
import type { FieldViolation, PricedOrder } from '../../domain/order.js';
import type { SyncExecutionResult, WorkflowStarter } from '../ports/workflow-starter.js';
import { TOKENS } from '../tokens.js';
import { failureOfStepError, messageOfCause, type StepFailure } from '../workflows/step-error.js';
import type { IngestOrderInput, IngestOrderResult } from './ingest-order.js';
import { knownAnswer } from '../orders/known-order-answer.js';
import type { PublishOrderResult } from './publish-order.js';

export interface IngestOrderByWorkflowInput extends IngestOrderInput {
  /** The execution's name: unique per request (the API's request id). */
  readonly executionName: string;
}

/** The ingest workflow's final state, as far as the answer needs it. */
interface IngestOutput {
  readonly validated: { readonly order: { readonly orderId: string }; readonly priced: PricedOrder };
  readonly published: PublishOrderResult;
}

/**
 * The orchestrated ingest: runs the ingest workflow (validate → publish, which reserves the key) to its
 * end and gives the same result the composed IngestOrder gives, so both topologies answer one contract.
 * A failed execution is mapped back from its step error: a rejected order is INVALID with its reasons,
 * a key reused for another payload is KEY_REUSED, and anything else is thrown as the error of its
 * category (the edge answers 503 + Retry-After for TRANSIENT and TIMEOUT). A failure to start (throttled,
 * unreachable) is thrown as it came, for the one classifier.
 */
@injectable()
export class IngestOrderByWorkflow {
  constructor(@inject(TOKENS.WorkflowStarter) private readonly starter: WorkflowStarter) {}

  async execute(input: IngestOrderByWorkflowInput): Promise<IngestOrderResult> {
    const result: SyncExecutionResult = await this.starter.startSync(input.body, {
      name: input.executionName,
      ...(input.idempotencyKey === undefined ? {} : { idempotencyKey: input.idempotencyKey }),
      ...(input.simulation === undefined ? {} : { simulation: input.simulation }),
    });
    if (result.status === 'FAILED') return rejection(result.error, input.idempotencyKey);
    const { validated, published } = ingestOutput(result.output);
    if (published.kind === 'KNOWN') return knownAnswer(published.known, validated.order.orderId, published.idempotencyKey);
    return {
      kind: 'ACCEPTED',
      orderId: validated.order.orderId,
      idempotencyKey: published.idempotencyKey,
      messageId: published.messageId,
      priced: validated.priced,
    };
  }
}

function rejection(error: StepFailure, idempotencyKey: string | undefined): IngestOrderResult {
  const failure = failureOfStepError(error);
  if (failure.code === 'ORDER.INVALID') return { kind: 'INVALID', violations: violationsIn(error.Cause) };
  if (failure.code === 'IDEMPOTENCY.KEY_REUSED') return { kind: 'KEY_REUSED', idempotencyKey: idempotencyKey ?? '' };
  throw errorForCategory(failure.category, messageOfCause(error.Cause), { code: failure.code, context: { workflowError: error.Error } });
}

/** The execution's output is untyped JSON: checked at once, so a changed workflow fails loudly rather than answering nonsense. */
function ingestOutput(output: unknown): IngestOutput {
  const candidate = output as Partial<IngestOutput> | null;
  const orderId = candidate?.validated?.order?.orderId;
  const kind = candidate?.published?.kind;
  if (typeof orderId !== 'string' || candidate?.validated?.priced === undefined || (kind !== 'PUBLISHED' && kind !== 'KNOWN')) {
    throw new PermanentError('the ingest workflow ended without a validated and published order', { code: 'WORKFLOW.OUTPUT_INVALID' });
  }
  return candidate as IngestOutput;
}

/** The violations a rejected validate step carries in its message (`ORDER.INVALID: [...]`). */
function violationsIn(cause: string): readonly FieldViolation[] {
  const message = messageOfCause(cause);
  try {
    const parsed: unknown = JSON.parse(message.slice(message.indexOf('[')));
    return Array.isArray(parsed) ? (parsed as FieldViolation[]) : [];
  } catch {
    return [];
  }
}
