import 'reflect-metadata';
import type { Container } from 'inversify';
import { ValidationError } from '../domain/errors.js';
import { AnnounceProcessedOrder } from '../application/use-cases/orchestrated-steps.js';
import { containerAtInit } from './composition-root.js';
import { asStep, claimOf, envelopeOf, type ConsumeState } from './step-input.js';

/** Step Functions task: publishes OrderProcessed, then completes the claim. */
export const handler = createEventsHandler(containerAtInit());

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createEventsHandler(containerOf: () => Container): (state: ConsumeState) => Promise<{ eventId: string }> {
  return (state) => asStep(async () => {
    const claim = claimOf(state);
    if (state.processed === undefined) throw new ValidationError('the workflow state holds no outcome', { code: 'STEP.NO_OUTCOME' });
    return containerOf().get(AnnounceProcessedOrder).execute({
      envelope: envelopeOf(state),
      ownerToken: claim.ownerToken,
      attempt: claim.decision.attempt ?? 1,
      outcome: state.processed.outcome,
    });
  });
}
