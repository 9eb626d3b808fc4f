import 'reflect-metadata';
import { ClaimIdempotency } from '../application/use-cases/claim-idempotency.js';
import { container } from './composition-root.js';
import { asStep, envelopeOf, messageOf, type ClaimOutput, type ConsumeState } from './step-input.js';

/** Step Functions task: claims the idempotency key of the workflow's queue record. */
export async function handler(state: ConsumeState): Promise<ClaimOutput> {
  return asStep(async () => {
    const envelope = envelopeOf(state);
    const ownerToken = `${state.execution?.name ?? state.execution?.id ?? 'execution'}:${messageOf(state).messageId}`;
    // The lease must outlive this short function: the workflow goes on after it returns.
    const decision = await container().get(ClaimIdempotency).execute({ envelope, ownerToken, remainingTimeMs: undefined });
    return {
      ownerToken,
      decision: {
        kind: decision.kind,
        ...(decision.kind === 'PROCEED' ? { attempt: decision.attempt, resumed: decision.resumed } : {}),
        ...(decision.kind === 'IN_PROGRESS' ? { retryAfterMs: decision.retryAfterMs } : {}),
      },
      ...(decision.kind === 'PROCEED' && decision.resumed && decision.record.outcome !== undefined ? { recordedOutcome: decision.record.outcome } : {}),
    };
  });
}
