import 'reflect-metadata';
import type { ScheduledEvent } from 'aws-lambda';
import type { Container } from 'inversify';
import type { Metrics } from '../application/ports/metrics.js';
import { TOKENS } from '../application/tokens.js';
import { RedeliverOutbox, type RedeliverReport } from '../application/use-cases/redeliver-outbox.js';
import { RedriveDeadLetters, type RedriveReport } from '../application/use-cases/redrive-dead-letters.js';
import { ReplayParkedOrders, type ReplayReport, type ReplayRequest } from '../application/use-cases/replay-parked-orders.js';
import { ResolveStrandedReservations, type StrandedReservationsReport } from '../application/use-cases/resolve-stranded-reservations.js';
import { isErrorCategory } from '../domain/error-category.js';
import { ValidationError } from '../domain/errors.js';
import { redriveComposition } from './composition/functions/redrive.js';
import { containerAtInit } from './composition/function-container.js';

/**
 * The redrive function, in its roles chosen by its input: the stage's one scheduled run
 * (`{"action":"scheduled"}`: the outbox redelivery, then the DLQ redrive and the sweep that sends or
 * releases edge reservations whose message never left), the DLQ redrive and that sweep alone (a
 * schedule's event, or `{}`), the outbox redelivery alone (`{"action":"redeliver-outbox"}`, `"force": true`
 * to take records younger than the sweep age too), and an operator's replay of parked orders
 * (`{"action":"replay","keys":["…"]}` or `{"action":"replay","category":"PERMANENT","limit":50}`).
 */
export const handler = createRedriveHandler(containerAtInit(redriveComposition));

export type RedriveInput =
  | ScheduledEvent
  | Record<string, never>
  | { readonly action: 'redrive' }
  | { readonly action: 'scheduled' }
  | { readonly action: 'redeliver-outbox'; readonly force?: boolean; readonly limit?: number }
  | { readonly action: 'replay'; readonly keys?: readonly string[]; readonly category?: string; readonly limit?: number };

/** Each input's report. */
export interface RedriveHandler {
  (event: ScheduledEvent | Record<string, never> | { readonly action: 'redrive' }): Promise<RedriveRunReport>;
  (event: Extract<RedriveInput, { action: 'scheduled' }>): Promise<ScheduledReport>;
  (event: Extract<RedriveInput, { action: 'redeliver-outbox' }>): Promise<RedeliverReport>;
  (event: Extract<RedriveInput, { action: 'replay' }>): Promise<ReplayReport>;
  (event: RedriveInput): Promise<RedriveRunReport | ScheduledReport | RedeliverReport | ReplayReport>;
}

/** The scheduled run's reports: the outbox redelivery's, and the redrive run's. */
export interface ScheduledReport {
  readonly redelivery: RedeliverReport;
  readonly redrive: RedriveRunReport;
}

/** The redrive run's report: the DLQ redrive's, and the stranded reservations' sweep. */
export type RedriveRunReport = RedriveReport & { readonly reservations: StrandedReservationsReport };

/** The handler over the container `containerOf` gives: the Lambda's own, or the local harness'. */
export function createRedriveHandler(containerOf: () => Container): RedriveHandler {
  return (async (event: RedriveInput) => {
    const root = containerOf();
    try {
      const action = typeof event === 'object' && event !== null && 'action' in event ? event.action : 'redrive';
      switch (action) {
        case 'redrive':
          return await redriveRun(root);
        case 'scheduled':
          return await scheduledRun(root);
        case 'redeliver-outbox': {
          const input = event as { force?: unknown; limit?: unknown };
          return await root.get(RedeliverOutbox).execute({ force: input.force === true, ...limitOf(input.limit) });
        }
        case 'replay':
          return await root.get(ReplayParkedOrders).execute(replayRequestOf(event));
        default:
          throw new ValidationError(`unknown redrive action ${String(action)}`, { code: 'REDRIVE.UNKNOWN_ACTION' });
      }
    } finally {
      root.get<Metrics>(TOKENS.Metrics).flush();
    }
  }) as RedriveHandler;
}

/**
 * The outbox redelivery first (a few index queries when nothing is owed; bounded pages when something is),
 * then the DLQ redrive within its own time budget. A failure of the first does not skip the second; the run
 * still fails (Lambda records it in `redrive-failures`) once both were tried.
 */
async function scheduledRun(root: Container): Promise<ScheduledReport> {
  let redelivery: RedeliverReport | undefined;
  let failure: unknown;
  try {
    redelivery = await root.get(RedeliverOutbox).execute();
  } catch (error) {
    failure = error;
  }
  const redrive = await redriveRun(root);
  if (redelivery === undefined) throw failure;
  return { redelivery, redrive };
}

/** The DLQ redrive, then the reservations whose message never left (past their lease, unclaimed): sent or released. */
async function redriveRun(root: Container): Promise<RedriveRunReport> {
  const report = await root.get(RedriveDeadLetters).execute();
  return { ...report, reservations: await root.get(ResolveStrandedReservations).execute() };
}

/** An operator's replay input, checked field by field: a bad one is refused with every reason, never half-run. */
export function replayRequestOf(event: unknown): ReplayRequest {
  const input = event as { keys?: unknown; category?: unknown; limit?: unknown };
  const problems: string[] = [];
  if (input.keys !== undefined && (!Array.isArray(input.keys) || input.keys.some((key) => typeof key !== 'string' || key === ''))) {
    problems.push('keys must be a list of non-empty strings');
  }
  if (input.category !== undefined && !isErrorCategory(input.category))
    problems.push(`category ${JSON.stringify(input.category)} is not an error category`);
  if (input.limit !== undefined && !(Number.isInteger(input.limit) && (input.limit as number) > 0))
    problems.push('limit must be a positive integer');
  if (problems.length > 0)
    throw new ValidationError(`invalid replay request: ${problems.join('; ')}`, { code: 'REPLAY.INVALID_REQUEST', context: { problems } });
  return {
    ...(Array.isArray(input.keys) ? { keys: input.keys as string[] } : {}),
    ...(isErrorCategory(input.category) ? { category: input.category } : {}),
    ...limitOf(input.limit),
  };
}

function limitOf(value: unknown): { limit?: number } {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? { limit: value } : {};
}
