import 'reflect-metadata';
import type { Container } from 'inversify';
import type { OutcomeSummary } from '../domain/idempotency.js';
import { ProcessClaimedOrder } from '../application/use-cases/orchestrated-steps.js';
import { processorComposition } from './composition/functions/processor.js';
import { containerAtInit } from './composition/function-container.js';
import { asStep, claimOf, envelopeOf, type ConsumeState } from './lambda-events/step-input.js';

/** Step Functions task: the business step for a claimed record, completed with its outcome and events (the outbox). */
export const handler = createProcessorHandler(containerAtInit(processorComposition));

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createProcessorHandler(containerOf: () => Container): (state: ConsumeState) => Promise<{ outcome: OutcomeSummary }> {
  return (state) =>
    asStep(async () => {
      const claim = claimOf(state);
      const outcome = await containerOf()
        .get(ProcessClaimedOrder)
        .execute({
          envelope: envelopeOf(state),
          ownerToken: claim.ownerToken,
          attempt: claim.decision.attempt ?? 1,
          ...(claim.recordedOutcome === undefined ? {} : { recordedOutcome: claim.recordedOutcome }),
        });
      return { outcome };
    });
}
