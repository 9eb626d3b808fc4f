import 'reflect-metadata';
import type { ScheduledEvent } from 'aws-lambda';
import type { Metrics } from '../application/ports/metrics.js';
import { TOKENS } from '../application/tokens.js';
import { RedriveDeadLetters, type RedriveReport } from '../application/use-cases/redrive-dead-letters.js';
import { container } from './composition-root.js';

/** Invoked on a schedule (EventBridge Scheduler); the event carries nothing the redrive needs. */
export async function handler(_event: ScheduledEvent | Record<string, never>): Promise<RedriveReport> {
  const root = container();
  try {
    return await root.get(RedriveDeadLetters).execute();
  } finally {
    root.get<Metrics>(TOKENS.Metrics).flush();
  }
}
