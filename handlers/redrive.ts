import 'reflect-metadata';
import type { ScheduledEvent } from 'aws-lambda';
import type { Container } from 'inversify';
import type { Metrics } from '../application/ports/metrics.js';
import { TOKENS } from '../application/tokens.js';
import { RedriveDeadLetters, type RedriveReport } from '../application/use-cases/redrive-dead-letters.js';
import { containerAtInit } from './composition-root.js';

/** Invoked on a schedule (EventBridge Scheduler); the event carries nothing the redrive needs. */
export const handler = createRedriveHandler(containerAtInit());

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createRedriveHandler(containerOf: () => Container): (event: ScheduledEvent | Record<string, never>) => Promise<RedriveReport> {
  return async () => {
    const root = containerOf();
    try {
      return await root.get(RedriveDeadLetters).execute();
    } finally {
      root.get<Metrics>(TOKENS.Metrics).flush();
    }
  };
}
