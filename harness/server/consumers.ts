import type { DeadLetterQueue } from '../../application/ports/dead-letter-queue.js';
import type { IdempotencyStore } from '../../application/ports/idempotency-store.js';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import { ADAPTERS } from '../../application/tokens.js';
import { CONSUME_WORKFLOW, INGEST_WORKFLOW } from '../../application/workflows/index.js';
import type { PolledQueue } from '../emulation/event-sources/polled-queue.js';
import { SqsEventSource, type SqsBatchFunction } from '../emulation/event-sources/sqs-event-source.js';
import type { HttpApiFunction } from './lambda-route.js';
import { RunnerWorkflowStarter } from '../emulation/step-functions/orchestrated-edge.js';
import { WorkflowRunner } from '../emulation/step-functions/workflow-runner.js';
import { DEFAULT_OUTBOX_PIPE, OutboxPipe, type RelayFunction } from '../emulation/streams/outbox-pipe.js';
import type { Backend } from '../backends/backend.js';
import type { Clock } from '../../application/ports/clock.js';
import type { Logger } from '../../application/ports/logger.js';
import { FleetFlowControl } from '../pipeline/fleet-flow-control.js';
import {
  createConsumePipe,
  createStepFunctions,
  holdBackQueueRecord,
  LOCAL_INGEST_STATE_MACHINE_ARN,
  parkQueueRecord,
  requeueQueueRecord,
} from '../pipeline/orchestrated-topology.js';
import type { HarnessCore } from './harness-core.js';

/** What takes orders in and works them off the queues, per topology: the edge, the event sources, the outbox pipe, the fleet pause. */
export interface Consumers {
  /** POST /orders: the composed ingest, or the ingest workflow in topology `orchestrated`. */
  readonly ingest: HttpApiFunction;
  /** Topology `both`: POST /orchestrated/orders. */
  readonly orchestratedIngest: HttpApiFunction | undefined;
  /** On the order queue: the worker's, or the consume pipe's in topology `orchestrated`. */
  readonly eventSource: SqsEventSource;
  /** Topology `both`: the consume pipe's, on the orchestrated queue. */
  readonly orchestratedEventSource: SqsEventSource | undefined;
  readonly eventSources: readonly SqsEventSource[];
  /** The pipe from the table's stream to the outbox relay. */
  readonly outbox: OutboxPipe;
  /** `--fleet-pause`: the event sources stop receiving while DynamoDB's breakers open, until a probe succeeds. */
  readonly fleetFlow: FleetFlowControl | undefined;
  /** A batch is being worked, or the relay is busy. */
  busy(): boolean;
}

export async function createConsumers(core: HarnessCore): Promise<Consumers> {
  const { options, backend, functions, adapters, logger } = core;
  const fleetFlow = options.fleetPause
    ? new FleetFlowControl({
        metrics: core.metrics,
        store: adapters.get<IdempotencyStore>(ADAPTERS.IdempotencyStore),
        clock: core.clock,
        logger: logger.child({ component: 'fleet-flow' }),
        probeEveryMs: core.referenceBreakers.settingsOf('dynamodb').recoveryTimeoutMs,
        tickEveryMs: 1_000,
      })
    : undefined;
  const outbox = await createOutboxPipe({
    backend,
    relay: functions.outboxRelay.handler,
    deadLetterQueue: adapters.get<DeadLetterQueue>(ADAPTERS.OutboxDeadLetterQueue),
    clock: core.clock,
    logger,
    functionTimeoutMs: core.functionTimeoutMs,
    pollIntervalMs: options.pollIntervalMs,
  });
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
        functionTimeoutMs: core.functionTimeoutMs,
        pollIntervalMs: options.pollIntervalMs,
      },
      logger.child({ component: 'event-source' }),
      (messages) => core.consumption.acknowledged(functionName, messages),
      () => fleetFlow?.isPaused() === true,
    );
  let ingest: HttpApiFunction;
  let eventSource: SqsEventSource;
  if (options.topology === 'orchestrated') {
    const orchestrated = workflows(core);
    ingest = orchestrated.ingest;
    eventSource = eventSourceOn(backend.orderQueue, 'consume-pipe', orchestrated.consume);
  } else {
    ingest = functions.ingest.handler;
    eventSource = eventSourceOn(backend.orderQueue, 'worker', functions.worker.handler);
  }
  let orchestratedIngest: HttpApiFunction | undefined;
  let orchestratedEventSource: SqsEventSource | undefined;
  if (core.both) {
    // As deployed in `both`: the worker keeps the order queue, and a pipe feeds the orchestrated queue's records to the consume workflow.
    if (backend.orchestratedQueue === undefined) throw new Error(`topology both: the ${backend.kind} backend has no orchestrated queue`);
    const orchestrated = workflows(core);
    orchestratedIngest = orchestrated.ingest;
    orchestratedEventSource = eventSourceOn(backend.orchestratedQueue, 'consume-pipe', orchestrated.consume);
  }
  const eventSources = orchestratedEventSource === undefined ? [eventSource] : [eventSource, orchestratedEventSource];
  return {
    ingest,
    orchestratedIngest,
    eventSource,
    orchestratedEventSource,
    eventSources,
    outbox,
    fleetFlow,
    busy: () => eventSources.some((source) => source.busy()) || outbox.busy(),
  };
}

/** The orchestrated topology's edge and consume pipe, over the workflow runner (Step Functions' stand-in). */
function workflows(core: HarnessCore): { readonly ingest: HttpApiFunction; readonly consume: SqsBatchFunction } {
  const { functions, adapters, backend, clock, random, logger } = core;
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
    functionTimeoutMs: core.functionTimeoutMs,
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
      core.config.workerConcurrency,
      logger.child({ component: 'pipe' }),
    ),
  };
}

export interface OutboxRelayDeps {
  readonly backend: Backend;
  /** The `outbox-relay` function, as its environments run it. */
  readonly relay: RelayFunction;
  /** The pipe's DLQ, written by the pipe service itself: no function's faults or breakers stand in between. */
  readonly deadLetterQueue: DeadLetterQueue;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly functionTimeoutMs: number;
  readonly pollIntervalMs: number;
}

/** The pipe from the table's stream to the real `outbox-relay` handler (the relay), as deployed. */
export async function createOutboxPipe(deps: OutboxRelayDeps): Promise<OutboxPipe> {
  const stream = await deps.backend.openTableStream();
  return new OutboxPipe(
    stream,
    deps.relay,
    deps.deadLetterQueue,
    { ...DEFAULT_OUTBOX_PIPE, pollIntervalMs: deps.pollIntervalMs, functionTimeoutMs: deps.functionTimeoutMs },
    deps.clock,
    deps.logger.child({ component: 'outbox-pipe' }),
  );
}
