import 'reflect-metadata';
import type { Container } from 'inversify';
import { ClaimIdempotency } from '../application/use-cases/claim-idempotency.js';
import { ReleaseFailedClaim, type ReleaseResult } from '../application/use-cases/orchestrated-steps.js';
import { failureOfStepError } from '../application/workflows/step-error.js';
import { ValidationError } from '../domain/errors.js';
import { idempotencyComposition } from './composition/functions/idempotency.js';
import { containerAtInit } from './composition/function-container.js';
import { asStep, claimOf, envelopeOf, messageOf, type ClaimOutput, type ConsumeState } from './lambda-events/step-input.js';

/**
 * Step Functions task of the idempotency function, in two roles: ClaimIdempotency claims the key of the
 * workflow's queue record; ReleaseClaim (the same function, reached through a Catch, with the caught
 * error in the state) records that failure on the claim and says whether to retry or park.
 */
export const handler = createIdempotencyHandler(containerAtInit(idempotencyComposition));

/**
 * The handler over the container `containerOf` gives (the Lambda's own, or the local harness'). A state
 * that carries a caught error can only come from the release step: no Catch leads to the claim.
 */
export function createIdempotencyHandler(containerOf: () => Container): (state: ConsumeState) => Promise<ClaimOutput | ReleaseResult> {
  const claim = createClaimHandler(containerOf);
  const release = createReleaseHandler(containerOf);
  return (state) => (state.error === undefined ? claim(state) : release(state));
}

/** The claim step. */
export function createClaimHandler(containerOf: () => Container): (state: ConsumeState) => Promise<ClaimOutput> {
  return (state) =>
    asStep(async () => {
      const envelope = envelopeOf(state);
      const ownerToken = `${state.execution?.name ?? state.execution?.id ?? 'execution'}:${messageOf(state).messageId}`;
      // The lease must outlive this short function: the workflow goes on after it returns.
      const decision = await containerOf()
        .get(ClaimIdempotency)
        .execute({ envelope, ownerToken, remainingTimeMs: undefined, messageId: messageOf(state).messageId });
      return {
        ownerToken,
        decision: {
          kind: decision.kind,
          ...(decision.kind === 'PROCEED' ? { attempt: decision.attempt, resumed: decision.resumed } : {}),
          ...(decision.kind === 'IN_PROGRESS' ? { retryAfterMs: decision.retryAfterMs } : {}),
        },
        ...(decision.kind === 'PROCEED' && decision.resumed && decision.record.outcome !== undefined
          ? { recordedOutcome: decision.record.outcome }
          : {}),
        // A PARKED record's failure: the workflow parks this copy with it (see CLAIM_ROUTES).
        ...(decision.kind === 'PARKED'
          ? { lastError: decision.record.lastError ?? { category: 'UNKNOWN' as const, code: 'IDEMPOTENCY.PARKED' } }
          : {}),
      };
    });
}

/** The release step: the state carries the claim and the error a Catch caught. */
export function createReleaseHandler(containerOf: () => Container): (state: ConsumeState) => Promise<ReleaseResult> {
  return (state) =>
    asStep(async () => {
      const claim = claimOf(state);
      if (state.error === undefined)
        throw new ValidationError('the release step needs the caught error in the state', { code: 'STEP.NO_ERROR' });
      return containerOf()
        .get(ReleaseFailedClaim)
        .execute({
          envelope: envelopeOf(state),
          messageBody: messageOf(state).body,
          ownerToken: claim.ownerToken,
          attempt: claim.decision.attempt ?? 1,
          failure: failureOfStepError(state.error),
        });
    });
}
