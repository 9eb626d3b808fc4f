import { randomUUID } from 'node:crypto';
import type { RedeliverReport } from '../../application/use-cases/redeliver-outbox.js';
import type { RedriveReport } from '../../application/use-cases/redrive-dead-letters.js';
import { Schedule } from '../emulation/event-sources/schedule.js';
import { invoke } from '../emulation/lambda/invocation.js';
import type { RedriveView } from '../observation/metrics-snapshot.js';
import { operatorActions, type ReplayAnswer } from '../pipeline/operator-actions.js';
import type { HarnessCore } from './harness-core.js';

/** The redrive function as deployed: one schedule (outbox redelivery, then the DLQ redrive), and the operator's actions on it. */
export interface ScheduledRedrive {
  readonly schedule: Schedule<RedriveReport>;
  /** What the status page shows of the runs so far. */
  readonly view: () => RedriveView;
  readonly redeliver: (force: boolean) => Promise<RedeliverReport>;
  readonly replay: (input: unknown) => Promise<ReplayAnswer>;
}

export function scheduledRedrive(core: HarnessCore): ScheduledRedrive {
  const { config, logger } = core;
  const handler = core.functions.redrive.handler;
  const timeoutMs = config.redriveTimeBudgetMs + 10_000;
  const actions = operatorActions(handler, timeoutMs);
  const view: { runs: number; last?: RedriveView['last']; lastError?: string; lastRedelivery?: RedeliverReport } = { runs: 0 };
  const runOnce = async (): Promise<RedriveReport> => {
    const end = await invoke({ functionName: 'redrive', requestId: randomUUID(), timeoutMs }, () => handler({ action: 'scheduled' }));
    view.runs += 1;
    if (end.kind === 'returned') {
      view.lastRedelivery = end.value.redelivery;
      view.last = { ...end.value.redrive, at: new Date().toISOString() };
      delete view.lastError;
      return end.value.redrive;
    }
    const reason = end.kind === 'threw' ? (end.error instanceof Error ? end.error.message : String(end.error)) : end.kind;
    view.lastError = reason;
    throw new Error(`scheduled run ${end.kind}: ${reason}`);
  };
  const schedule = new Schedule(core.options.redriveEveryMs, runOnce, (error) =>
    logger.warn('scheduled redrive failed', { error: error instanceof Error ? error.message : String(error) }),
  );
  return { schedule, view: () => ({ ...view }), redeliver: actions.redeliver, replay: actions.replay };
}
