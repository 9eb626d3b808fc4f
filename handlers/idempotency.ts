import 'reflect-metadata';
import type { Container } from 'inversify';
import { ClaimIdempotency } from '../application/use-cases/claim-idempotency.js';
import { containerAtInit } from './composition-root.js';
import { asStep, envelopeOf, messageOf, type ClaimOutput, type ConsumeState } from './step-input.js';

/** Step Functions task: claims the idempotency key of the workflow's queue record. */
export const handler = createIdempotencyHandler(containerAtInit());

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createIdempotencyHandler(containerOf: () => Container): (state: ConsumeState) => Promise<ClaimOutput> {
  return (state) => asStep(async () => {
    const envelope = envelopeOf(state);
    const ownerToken = `${state.execution?.name ?? state.execution?.id ?? 'execution'}:${messageOf(state).messageId}`;
    // The lease must outlive this short function: the workflow goes on after it returns.
    const decision = await containerOf().get(ClaimIdempotency).execute({ envelope, ownerToken, remainingTimeMs: undefined });
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
