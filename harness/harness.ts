import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Container } from 'inversify';
import type { DeadLetterQueue } from '../application/ports/dead-letter-queue.js';
import type { EventBus } from '../application/ports/event-bus.js';
import type { OrderQueue } from '../application/ports/order-queue.js';
import type { IdempotencyStore } from '../application/ports/idempotency-store.js';
import type { RedeliverReport } from '../application/use-cases/redeliver-outbox.js';
import type { RedriveReport } from '../application/use-cases/redrive-dead-letters.js';
import { CONSUME_WORKFLOW, INGEST_WORKFLOW } from '../application/workflows/index.js';
import { RecordingMetrics } from '../adapters/observability/recording-metrics.js';
import { SeededRandom } from '../adapters/system/seeded-random.js';
import { SystemClock } from '../adapters/system/system-clock.js';
import { visibilityTimeoutSeconds } from '../domain/visibility-timeout.js';
import { ADAPTERS } from '../application/tokens.js';
import { createAwsBackend } from './aws-backend.js';
import { allQueuesEmpty, sourceQueuesEmpty } from './backend.js';
import { CommitLedger } from './commit-ledger.js';
import { ConsoleLogger } from './console-logger.js';
import { harnessObservers, JOURNAL_FILE } from './observation-journal.js';
import { FaultInjection } from './faults.js';
import { harnessConfig } from './harness-config.js';
import { orchestratedShareOf, type HarnessOptions } from './harness-options.js';
import { harnessRoutes } from './harness-routes.js';
import type { Harness, HarnessIo, StopSummary } from './harness-types.js';
import { HttpServer, LOCALHOST } from './http-server.js';
import { invoke } from './invocation.js';
import { createMemoryBackend } from './memory-backend.js';
import { rebindWithFaults, reportLeftovers, waitUntil } from './harness-wiring.js';
import { HarnessFunctions } from './harness-functions.js';
import { observeOrders } from './order-observations.js';
import { createOutboxPipe, operatorActions } from './outbox-relay.js';
import { buildSnapshot, type MetricsSnapshot, type RedriveView } from './metrics-snapshot.js';
import {
  createConsumePipe,
  createStepFunctions,
  holdBackQueueRecord,
  LOCAL_INGEST_STATE_MACHINE_ARN,
  parkQueueRecord,
  requeueQueueRecord,
} from './orchestrated-topology.js';
import { RunnerWorkflowStarter } from './orchestrated-edge.js';
import type { PolledQueue } from './polled-queue.js';
import { Schedule } from './schedule.js';
import { HistorySampler } from './history-sampler.js';
import { FleetFlowControl } from './fleet-flow-control.js';
import { SqsEventSource, type SqsBatchFunction } from './sqs-event-source.js';
import { WorkflowRunner } from './workflow-runner.js';
import type { HttpApiFunction } from './lambda-route.js';

/** API Gateway's HTTP API gives an integration at most 30 s. */
const HTTP_FUNCTION_TIMEOUT_MS = 29_000;
/** Keeps the fault decisions' sequence apart from the jitter's, both from one seed. */
const FAULT_SEED_SALT = 0x5bd1e995;

/**
 * Starts the whole pipeline in this process: the handlers over a container whose adapters are wrapped
 * in fault decorators, the SQS event source (one per source queue: two in topology `both`, the worker's
 * and the consume pipe's), the scheduled redrive, and the HTTP server on 127.0.0.1.
 */
export async function startHarness(options: HarnessOptions, io: HarnessIo = {}): Promise<Harness> {
  const env = io.env ?? process.env;
  const write = io.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = new SystemClock();
  const random = new SeededRandom(options.seed);
  const logger = new ConsoleLogger({
    serviceName: env.SERVICE_NAME ?? 'orders',
    level: options.logLevel,
    pretty: options.pretty,
    colour: io.colour === true,
    write,
  });
  const visibility =
    options.visibilityTimeoutSeconds ??
    visibilityTimeoutSeconds({
      functionTimeoutSeconds: options.functionTimeoutSeconds,
      batchingWindowSeconds: Math.ceil(options.batchingWindowMs / 1_000),
    }).seconds;
  const queues = { visibilityTimeoutSeconds: visibility, maxReceiveCount: options.maxReceiveCount };
  const both = options.topology === 'both';
  const orchestratedSharePercent = orchestratedShareOf(options);
  const backend =
    options.backend === 'aws'
      ? await createAwsBackend({
          env,
          bootstrap: options.bootstrap,
          ...queues,
          orchestratedQueue: both,
          orchestratedSharePercent,
          clock,
          random,
        })
      : createMemoryBackend(harnessConfig(env, 'memory', { ORCHESTRATED_SHARE_PERCENT: String(orchestratedSharePercent) }), clock, random, {
          ...queues,
          orchestratedQueue: both,
        });
  const { config } = backend;

  const metrics = new RecordingMetrics();
  // The adapters every function shares (the same queues, table and bus), behind the fault decorators.
  const adapters = new Container();
  adapters.load(backend.adapters);
  const faults = new FaultInjection(
    {
      failureRate: options.faults,
      latencyMs: options.latencyMs,
      crashAfter: options.crashAfter,
      ...(options.faultFunctions === undefined ? {} : { functions: options.faultFunctions }),
    },
    new SeededRandom((options.seed ^ FAULT_SEED_SALT) | 0),
    (ms) => clock.sleep(ms),
  );
  const commits = new CommitLedger(adapters.get<IdempotencyStore>(ADAPTERS.IdempotencyStore), () => clock.now());
  const { events, consumption } = harnessObservers(
    adapters.get<EventBus>(ADAPTERS.EventBus),
    () => clock.now(),
    backend.kind === 'aws' ? (env.HARNESS_JOURNAL_FILE ?? JOURNAL_FILE) : undefined,
  );
  rebindWithFaults(adapters, faults, commits, events);
  // Each function in execution environments of its own, with its own breakers, as deployed.
  const functions = new HarnessFunctions({
    config,
    services: { clock, random, logger, metrics },
    adapters,
    ...(options.breakerRecoveryMs === undefined ? {} : { breakerRecoveryMs: options.breakerRecoveryMs }),
  });

  const referenceBreakers = functions.referenceBreakers();
  // Fleet flow control: the event sources stop receiving while DynamoDB's breakers open, until a probe succeeds.
  const fleetFlow = options.fleetPause
    ? new FleetFlowControl({
        metrics,
        store: adapters.get<IdempotencyStore>(ADAPTERS.IdempotencyStore),
        clock,
        logger: logger.child({ component: 'fleet-flow' }),
        probeEveryMs: referenceBreakers.settingsOf('dynamodb').recoveryTimeoutMs,
        tickEveryMs: 1_000,
      })
    : undefined;

  const functionTimeoutMs = options.functionTimeoutSeconds * 1_000;
  const outbox = await createOutboxPipe({
    backend,
    relay: functions.events.handler,
    deadLetterQueue: adapters.get<DeadLetterQueue>(ADAPTERS.OutboxDeadLetterQueue),
    clock,
    logger,
    functionTimeoutMs,
    pollIntervalMs: options.pollIntervalMs,
  });
  const httpTimeoutMs = Math.min(functionTimeoutMs, HTTP_FUNCTION_TIMEOUT_MS);
  const workflows = (): { readonly ingest: HttpApiFunction; readonly consume: SqsBatchFunction } => {
    const runnerServices = {
      steps: createStepFunctions({
        validate: functions.validate.handler,
        publish: functions.publish.handler,
        idempotency: functions.idempotency.handler,
        processor: functions.processor.handler,
      }),
      park: parkQueueRecord(adapters.get<DeadLetterQueue>(ADAPTERS.DeadLetterQueue)),
      holdBack: holdBackQueueRecord(() => [
        backend.orderQueue,
        ...(backend.orchestratedQueue === undefined ? [] : [backend.orchestratedQueue]),
      ]),
      requeue: requeueQueueRecord(adapters.get<OrderQueue>(ADAPTERS.OrderQueue)),
      functionTimeoutMs,
      random: () => random.next(),
      sleep: (ms: number) => clock.sleep(ms),
      logger: logger.child({ component: 'workflow' }),
    };
    return {
      ingest: functions.orchestratedIngest(
        new RunnerWorkflowStarter(new WorkflowRunner(INGEST_WORKFLOW, runnerServices), LOCAL_INGEST_STATE_MACHINE_ARN),
      ).handler,
      consume: createConsumePipe(
        new WorkflowRunner(CONSUME_WORKFLOW, runnerServices),
        config.workerConcurrency,
        logger.child({ component: 'pipe' }),
      ),
    };
  };
  // The deployed pipe hands the consume workflow one record at a time, without a batching window
  // (terraform/constructs/order-queue-pipe.ts); the worker's mapping batches as configured.
  const eventSourceOn = (queue: PolledQueue, functionName: 'worker' | 'consume-pipe', fn: SqsBatchFunction): SqsEventSource =>
    new SqsEventSource(
      queue,
      fn,
      {
        functionName,
        batchSize: functionName === 'consume-pipe' ? 1 : options.batchSize,
        batchingWindowMs: functionName === 'consume-pipe' ? 0 : options.batchingWindowMs,
        maxConcurrency: options.maxConcurrency,
        functionTimeoutMs,
        pollIntervalMs: options.pollIntervalMs,
      },
      logger.child({ component: 'event-source' }),
      (messages) => consumption.acknowledged(functionName, messages),
      () => fleetFlow?.isPaused() === true,
    );
  let ingest: HttpApiFunction;
  let orchestratedIngest: HttpApiFunction | undefined;
  let eventSource: SqsEventSource;
  let orchestratedEventSource: SqsEventSource | undefined;
  if (options.topology === 'orchestrated') {
    const orchestrated = workflows();
    ingest = orchestrated.ingest;
    eventSource = eventSourceOn(backend.orderQueue, 'consume-pipe', orchestrated.consume);
  } else {
    ingest = functions.ingest.handler;
    eventSource = eventSourceOn(backend.orderQueue, 'worker', functions.worker.handler);
  }
  if (both) {
    // As deployed in `both`: the worker keeps the order queue, and a pipe feeds the orchestrated queue's records to the consume workflow.
    if (backend.orchestratedQueue === undefined) throw new Error(`topology both: the ${backend.kind} backend has no orchestrated queue`);
    const orchestrated = workflows();
    orchestratedIngest = orchestrated.ingest;
    orchestratedEventSource = eventSourceOn(backend.orchestratedQueue, 'consume-pipe', orchestrated.consume);
  }
  const eventSources = orchestratedEventSource === undefined ? [eventSource] : [eventSource, orchestratedEventSource];
  const busy = (): boolean => eventSources.some((source) => source.busy()) || outbox.busy();

  const redriveHandler = functions.redrive.handler;
  const actions = operatorActions(redriveHandler, config.redriveTimeBudgetMs + 10_000);
  const redriveView: { runs: number; last?: RedriveView['last']; lastError?: string; lastRedelivery?: RedeliverReport } = { runs: 0 };
  // As deployed: one schedule, whose run is the outbox redelivery and then the DLQ redrive.
  const redriveOnce = async (): Promise<RedriveReport> => {
    const end = await invoke({ functionName: 'redrive', requestId: randomUUID(), timeoutMs: config.redriveTimeBudgetMs + 10_000 }, () =>
      redriveHandler({ action: 'scheduled' }),
    );
    redriveView.runs += 1;
    if (end.kind === 'returned') {
      redriveView.lastRedelivery = end.value.redelivery;
      redriveView.last = { ...end.value.redrive, at: new Date().toISOString() };
      delete redriveView.lastError;
      return end.value.redrive;
    }
    const reason = end.kind === 'threw' ? (end.error instanceof Error ? end.error.message : String(end.error)) : end.kind;
    redriveView.lastError = reason;
    throw new Error(`scheduled run ${end.kind}: ${reason}`);
  };
  const schedule = new Schedule(options.redriveEveryMs, redriveOnce, (error) =>
    logger.warn('scheduled redrive failed', { error: error instanceof Error ? error.message : String(error) }),
  );
  const history = new HistorySampler(options.historyEveryMs, {
    clock,
    metrics,
    commits,
    depths: () => backend.depths(),
    onError: (error) => logger.warn('history sample failed', { error: String(error) }),
  });

  const snapshot = async (): Promise<MetricsSnapshot> => {
    const now = clock.now();
    return buildSnapshot({
      backend: backend.kind,
      topology: options.topology,
      orchestratedSharePercent: both ? orchestratedSharePercent : undefined,
      seed: options.seed,
      now,
      depths: await backend.depths(),
      records: await backend.records(now),
      functions: functions.all(),
      referenceBreakers,
      metrics,
      events,
      eventSource: eventSource.stats(),
      orchestratedEventSource: orchestratedEventSource?.stats(),
      outbox: outbox.stats(),
      faults: { ...faults.settings(), ...faults.counts() },
      commits,
      redrive: { ...redriveView },
      history: history.samples(),
    });
  };

  const server = new HttpServer(
    harnessRoutes({
      ingest,
      ...(orchestratedIngest === undefined ? {} : { orchestratedIngest }),
      validate: functions.validate.handler,
      publish: functions.publish.handler,
      httpTimeoutMs,
      topology: options.topology,
      backend,
      events,
      consumption,
      faults,
      snapshot,
      orders: async () => observeOrders(await backend.records(clock.now()), events.all(), commits),
      redrive: () => schedule.runNow(),
      replay: actions.replay,
      redeliverOutbox: actions.redeliver,
      now: () => clock.now(),
      logger,
    }),
    logger.child({ component: 'http' }),
  );
  const port = await server.listen(options.port);
  for (const source of eventSources) source.start();
  outbox.start();
  schedule.start();
  history.start();
  fleetFlow?.start();
  // The stream is read from now on: events a previous run left undelivered are found by the scheduled
  // redelivery's index look-up (every tick), as deployed; no forced sweep at start.
  const url = `http://${LOCALHOST}:${port}`;
  logger.info('harness started', {
    url,
    backend: backend.kind,
    topology: options.topology,
    ...(both ? { orchestratedSharePercent } : {}),
    seed: options.seed,
    visibilityTimeoutSeconds: visibility,
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
    allowFailureSimulation: config.allowFailureSimulation,
  });

  const sourceQueuesDrained = async (): Promise<boolean> => !busy() && sourceQueuesEmpty(await backend.depths());
  const waitForDrain = (deadline: number): Promise<boolean> => waitUntil(sourceQueuesDrained, deadline, options.pollIntervalMs, clock);
  let stopping: Promise<StopSummary> | undefined;
  return {
    url,
    port,
    options,
    config,
    backend,
    faults,
    events,
    commits,
    consumption,
    eventSource,
    orchestratedEventSource,
    fleetFlow,
    functions,
    outbox,
    snapshot,
    redrive: () => schedule.runNow(),
    redeliverOutbox: (force = false) => actions.redeliver(force),
    replay: actions.replay,
    quiet: async () => {
      const depths = await backend.depths();
      return !busy() && allQueuesEmpty(depths);
    },
    stop: () => {
      stopping ??= (async () => {
        const startedAt = clock.now();
        const deadline = startedAt + options.drainTimeoutMs;
        logger.info(
          `harness stopping: no more requests; the ${both ? 'order and orchestrated queues drain' : 'order queue drains'}, batches in flight finish`,
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
      })();
      return stopping;
    },
  };
}
