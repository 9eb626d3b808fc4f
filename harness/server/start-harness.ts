import { allQueuesEmpty } from '../backends/backend.js';
import type { HarnessOptions } from '../cli/options.js';
import { HistorySampler } from '../observation/history-sampler.js';
import { buildSnapshot, type MetricsSnapshot } from '../observation/metrics-snapshot.js';
import { observeOrders } from '../observation/order-observations.js';
import { createConsumers, type Consumers } from './consumers.js';
import { createHarnessCore, type HarnessCore } from './harness-core.js';
import { HttpServer, LOCALHOST } from './http-server.js';
import { harnessRoutes } from './routes.js';
import { scheduledRedrive, type ScheduledRedrive } from './scheduled-redrive.js';
import { stopInOrder } from './stop-harness.js';
import type { Harness, HarnessIo, StopSummary } from './types.js';

/** API Gateway's HTTP API gives an integration at most 30 s. */
const HTTP_FUNCTION_TIMEOUT_MS = 29_000;

/**
 * Starts the whole pipeline in this process, from its parts: the core (backend, shared adapters behind
 * fault decorators, observers, the functions in their own environments: harness-core.ts), the consumers
 * (edge, SQS event sources, outbox pipe, fleet pause: consumers.ts), the scheduled redrive
 * (scheduled-redrive.ts), the status history, and the HTTP server on 127.0.0.1. `stop` runs
 * stop-harness.ts.
 */
export async function startHarness(options: HarnessOptions, io: HarnessIo = {}): Promise<Harness> {
  const core = await createHarnessCore(options, io);
  const consumers = await createConsumers(core);
  const redrive = scheduledRedrive(core);
  const history = new HistorySampler(options.historyEveryMs, {
    clock: core.clock,
    metrics: core.metrics,
    commits: core.commits,
    depths: () => core.backend.depths(),
    onError: (error) => core.logger.warn('history sample failed', { error: String(error) }),
  });
  const snapshot = (): Promise<MetricsSnapshot> => snapshotOf(core, consumers, redrive, history);
  const server = httpServer(core, consumers, redrive, snapshot);

  const port = await server.listen(options.port);
  for (const source of consumers.eventSources) source.start();
  consumers.outbox.start();
  redrive.schedule.start();
  history.start();
  consumers.fleetFlow?.start();
  // The stream is read from now on: events a previous run left undelivered are found by the scheduled
  // redelivery's index look-up (every tick), as deployed; no forced sweep at start.
  const url = `http://${LOCALHOST}:${port}`;
  logStarted(core, url);

  let stopping: Promise<StopSummary> | undefined;
  return {
    url,
    port,
    options,
    config: core.config,
    backend: core.backend,
    faults: core.faults,
    events: core.events,
    commits: core.commits,
    consumption: core.consumption,
    eventSource: consumers.eventSource,
    orchestratedEventSource: consumers.orchestratedEventSource,
    fleetFlow: consumers.fleetFlow,
    functions: core.functions,
    outbox: consumers.outbox,
    snapshot,
    redrive: () => redrive.schedule.runNow(),
    redeliverOutbox: (force = false) => redrive.redeliver(force),
    replay: redrive.replay,
    quiet: async () => !consumers.busy() && allQueuesEmpty(await core.backend.depths()) && (await consumers.outbox.caughtUp()),
    stop: () => (stopping ??= stopInOrder(core, { server, consumers, schedule: redrive.schedule, history })),
  };
}

async function snapshotOf(
  core: HarnessCore,
  consumers: Consumers,
  redrive: ScheduledRedrive,
  history: HistorySampler,
): Promise<MetricsSnapshot> {
  const now = core.clock.now();
  return buildSnapshot({
    backend: core.backend.kind,
    topology: core.options.topology,
    orchestratedSharePercent: core.both ? core.orchestratedSharePercent : undefined,
    seed: core.options.seed,
    now,
    depths: await core.backend.depths(),
    records: await core.backend.records(now),
    functions: core.functions.all(),
    referenceBreakers: core.referenceBreakers,
    metrics: core.metrics,
    events: core.events,
    eventSource: consumers.eventSource.stats(),
    orchestratedEventSource: consumers.orchestratedEventSource?.stats(),
    outbox: consumers.outbox.stats(),
    faults: { ...core.faults.settings(), ...core.faults.counts() },
    commits: core.commits,
    redrive: redrive.view(),
    history: history.samples(),
  });
}

function httpServer(
  core: HarnessCore,
  consumers: Consumers,
  redrive: ScheduledRedrive,
  snapshot: () => Promise<MetricsSnapshot>,
): HttpServer {
  const { functions, backend, clock, logger } = core;
  return new HttpServer(
    harnessRoutes({
      ingest: consumers.ingest,
      ...(consumers.orchestratedIngest === undefined ? {} : { orchestratedIngest: consumers.orchestratedIngest }),
      validate: functions.validate.handler,
      publish: functions.publish.handler,
      httpTimeoutMs: Math.min(core.functionTimeoutMs, HTTP_FUNCTION_TIMEOUT_MS),
      topology: core.options.topology,
      backend,
      events: core.events,
      consumption: core.consumption,
      faults: core.faults,
      snapshot,
      orders: async () => observeOrders(await backend.records(clock.now()), core.events.all(), core.commits),
      redrive: () => redrive.schedule.runNow(),
      replay: redrive.replay,
      redeliverOutbox: redrive.redeliver,
      now: () => clock.now(),
      logger,
    }),
    logger.child({ component: 'http' }),
  );
}

function logStarted(core: HarnessCore, url: string): void {
  const { options } = core;
  core.logger.info('harness started', {
    url,
    backend: core.backend.kind,
    topology: options.topology,
    ...(core.both ? { orchestratedSharePercent: core.orchestratedSharePercent } : {}),
    seed: options.seed,
    visibilityTimeoutSeconds: core.visibilityTimeoutSeconds,
    maxReceiveCount: options.maxReceiveCount,
    batchSize: options.batchSize,
    batchingWindowMs: options.batchingWindowMs,
    maxConcurrency: options.maxConcurrency,
    functionTimeoutSeconds: options.functionTimeoutSeconds,
    redriveEveryMs: options.redriveEveryMs,
    faults: options.faults,
    latencyMs: options.latencyMs,
    crashAfter: options.crashAfter,
    faultFunctions: options.faultFunctions ?? 'all',
    allowFailureSimulation: core.config.allowFailureSimulation,
  });
}
