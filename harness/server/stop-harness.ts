import { sourceQueuesEmpty } from '../backends/backend.js';
import type { Schedule } from '../emulation/event-sources/schedule.js';
import type { HistorySampler } from '../observation/history-sampler.js';
import type { Consumers } from './consumers.js';
import type { HarnessCore } from './harness-core.js';
import type { HttpServer } from './http-server.js';
import type { StopSummary } from './types.js';
import { reportLeftovers, waitUntil } from './wiring.js';

export interface RunningParts {
  readonly server: HttpServer;
  readonly consumers: Consumers;
  readonly schedule: Schedule<unknown>;
  readonly history: HistorySampler;
}

/**
 * The stop sequence (Harness.stop): the server first, then the event sources work until the queues they
 * poll are empty or the drain deadline passes, then everything stops, batches in flight finishing; what
 * is left is logged and returned.
 */
export async function stopInOrder(core: HarnessCore, parts: RunningParts): Promise<StopSummary> {
  const { options, clock, logger, backend } = core;
  const { server, consumers, schedule, history } = parts;
  const { eventSource, orchestratedEventSource, eventSources, outbox, fleetFlow } = consumers;
  const sourceQueuesDrained = async (): Promise<boolean> => !consumers.busy() && sourceQueuesEmpty(await backend.depths());
  const waitForDrain = (deadline: number): Promise<boolean> => waitUntil(sourceQueuesDrained, deadline, options.pollIntervalMs, clock);
  const startedAt = clock.now();
  const deadline = startedAt + options.drainTimeoutMs;
  logger.info(
    `harness stopping: no more requests; the ${core.both ? 'order and orchestrated queues drain' : 'order queue drains'}, batches in flight finish`,
    { drainTimeoutMs: options.drainTimeoutMs },
  );
  await server.close();
  if (await waitForDrain(deadline)) {
    await schedule.stop();
    // A redrive that was running when the queue emptied may have sent messages back to it.
    await waitForDrain(deadline);
  }
  // Past the deadline no batch starts; the ones in flight (and a running redrive) finish.
  await Promise.all([...eventSources.map((source) => source.stop()), schedule.stop(), history.stop(), fleetFlow?.stop()]);
  // The relay announces what the last batches committed, within what is left of the deadline.
  await waitUntil(async () => !outbox.busy(), deadline, options.pollIntervalMs, clock);
  await outbox.stop();
  const remaining = await backend.depths().catch((error: unknown) => {
    logger.warn('could not read the queue depths at stop: messages may remain on the queues', {
      backend: backend.kind,
      error: error instanceof Error ? error.message : String(error),
    });
    return undefined;
  });
  const summary: StopSummary = {
    drained: remaining !== undefined && sourceQueuesEmpty(remaining),
    stoppedAfterMs: clock.now() - startedAt,
    remaining,
  };
  if (remaining !== undefined) reportLeftovers(logger, backend.kind, remaining);
  await backend.close();
  logger.info('harness stopped', {
    ...summary,
    eventSource: { ...eventSource.stats(), recent: undefined },
    ...(orchestratedEventSource === undefined
      ? {}
      : { orchestratedEventSource: { ...orchestratedEventSource.stats(), recent: undefined } }),
  });
  return summary;
}
