import type { PipelineEnvironment } from '../application/config/pipeline-config.js';
import { resolveBreakerSettings } from '../application/config/breaker-overrides.js';
import { MIGRATION_PHASES, type StageConfig } from './stage-config.js';

/** What the Lambda runtime and Powertools read besides the pipeline's own configuration. */
export interface RuntimeEnvironment {
  readonly POWERTOOLS_SERVICE_NAME: string;
  readonly POWERTOOLS_METRICS_NAMESPACE: string;
  readonly POWERTOOLS_LOG_LEVEL: string;
  /** `--enable-source-maps` where the stage ships source maps (`operations.sourceMaps`): stack traces point at the TypeScript. */
  readonly NODE_OPTIONS?: string;
}

/** Every function's environment: the `PipelineEnvironment` the composition root validates with `loadConfig`, plus the runtime's. */
export type FunctionEnvironment = PipelineEnvironment & RuntimeEnvironment;

export interface PipelineResourceNames {
  readonly orderQueueUrl: string;
  /** The queue the publishers send the phase's share of orders to; given only when both topologies run. */
  readonly orchestratedQueueUrl?: string;
  readonly deadLetterQueueUrl: string;
  readonly idempotencyTableName: string;
  readonly eventBusName: string;
  /** Where the outbox pipe notes the stream records it gave up on; the redrive's `redeliver-outbox` reads it. */
  readonly outboxDeadLetterQueueUrl: string;
}

/** Left to the application's defaults: order rules a stage does not tune, and the edge's reservation lease (the harness shortens it). */
type DefaultedVariables =
  'SUPPORTED_CURRENCIES' | 'MAX_ORDER_TOTAL_MINOR' | 'TAX_RATE_BASIS_POINTS' | 'ACCEPT_LEASE_MS' | 'STORE_OUTAGE_MODE';

/** Set only when both topologies run; with one topology, one queue carries every order. */
type TrafficSplitVariables = 'ORCHESTRATED_QUEUE_URL' | 'ORCHESTRATED_SHARE_PERCENT';

/** Set only in the orchestrated edge's environment (see `orchestratedEdgeEnvironment`): no other function starts a workflow. */
type EdgeVariables = 'INGEST_STATE_MACHINE_ARN';

/** Time the redrive leaves itself before its function times out, to finish the messages it holds. */
const REDRIVE_SAFETY_MARGIN_SECONDS = 15;

export function functionEnvironment(stage: StageConfig, resources: PipelineResourceNames): FunctionEnvironment {
  const app = stage.application;
  const redriveBudgetMs = Math.min(
    900_000,
    Math.max(1_000, (stage.functions.redrive.timeoutSeconds - REDRIVE_SAFETY_MARGIN_SECONDS) * 1000),
  );
  const pipeline: Required<Omit<PipelineEnvironment, DefaultedVariables | TrafficSplitVariables | EdgeVariables>> = {
    PIPELINE_BACKEND: 'aws',
    SERVICE_NAME: app.serviceName,
    ORDER_QUEUE_URL: resources.orderQueueUrl,
    DEAD_LETTER_QUEUE_URL: resources.deadLetterQueueUrl,
    IDEMPOTENCY_TABLE_NAME: resources.idempotencyTableName,
    EVENT_BUS_NAME: resources.eventBusName,
    EVENT_SOURCE: app.eventSource,
    ALLOW_FAILURE_SIMULATION: app.allowFailureSimulation ? 'true' : 'false',
    MAX_BODY_BYTES: String(app.maxBodyBytes),
    IDEMPOTENCY_TTL_SECONDS: String(app.idempotencyTtlSeconds),
    WORKER_CONCURRENCY: String(app.workerConcurrency),
    BACKOFF_STRATEGY: app.backoffStrategy,
    BACKOFF_BASE_SECONDS: String(app.backoffBaseSeconds),
    BACKOFF_CAP_SECONDS: String(app.backoffCapSeconds),
    REDRIVE_MAX_ATTEMPTS: String(app.redriveMaxAttempts),
    REDRIVE_MESSAGE_BUDGET: String(app.redriveMessageBudget),
    REDRIVE_TIME_BUDGET_MS: String(redriveBudgetMs),
    PERMANENCE_RECEIVE_THRESHOLD: String(app.permanenceReceiveThreshold),
    OUTBOX_DEAD_LETTER_QUEUE_URL: resources.outboxDeadLetterQueueUrl,
    OUTBOX_SWEEP_AGE_SECONDS: String(stage.outbox.sweepAgeSeconds),
    BREAKER_SETTINGS: JSON.stringify(resolveBreakerSettings(stage.breakers)),
  };
  return {
    ...pipeline,
    // Written only when a stage leaves the default (strict: 503 while DynamoDB cannot reserve).
    ...(app.storeOutageMode === undefined || app.storeOutageMode === 'strict' ? {} : { STORE_OUTAGE_MODE: app.storeOutageMode }),
    ...trafficSplit(stage, resources),
    POWERTOOLS_SERVICE_NAME: app.serviceName,
    POWERTOOLS_METRICS_NAMESPACE: app.metricsNamespace,
    POWERTOOLS_LOG_LEVEL: stage.logLevel,
    ...(stage.operations.sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
  };
}

/**
 * The publishers' split between the two queues while both topologies run: every function gets the same
 * share (the phase's), so every copy of an order is routed the same way whichever function sends it.
 */
function trafficSplit(
  stage: StageConfig,
  resources: PipelineResourceNames,
): Required<Pick<PipelineEnvironment, TrafficSplitVariables>> | Record<never, never> {
  if (stage.topology !== 'both') return {};
  if (resources.orchestratedQueueUrl === undefined)
    throw new Error(`stage ${stage.stage} runs both topologies but has no orchestrated queue`);
  return {
    ORCHESTRATED_QUEUE_URL: resources.orchestratedQueueUrl,
    ORCHESTRATED_SHARE_PERCENT: String(MIGRATION_PHASES[stage.migration.phase].orchestratedSharePercent),
  };
}

/** The orchestrated edge's environment: every function's, plus the ingest state machine it starts. */
export function orchestratedEdgeEnvironment(environment: FunctionEnvironment, ingestStateMachineArn: string): FunctionEnvironment {
  return { ...environment, INGEST_STATE_MACHINE_ARN: ingestStateMachineArn };
}

/** The environment as Lambda's variables map. */
export function environmentVariables(environment: FunctionEnvironment): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
