import type { PipelineEnvironment } from '../application/config.js';
import type { StageConfig } from './stage-config.js';

/** What the Lambda runtime and Powertools read besides the pipeline's own configuration. */
export interface RuntimeEnvironment {
  readonly POWERTOOLS_SERVICE_NAME: string;
  readonly POWERTOOLS_METRICS_NAMESPACE: string;
  readonly POWERTOOLS_LOG_LEVEL: string;
  /** The bundles ship source maps; this makes stack traces point at the TypeScript. */
  readonly NODE_OPTIONS: string;
}

/** Every function's environment: the `PipelineEnvironment` the composition root validates with `loadConfig`, plus the runtime's. */
export type FunctionEnvironment = PipelineEnvironment & RuntimeEnvironment;

export interface PipelineResourceNames {
  readonly orderQueueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly idempotencyTableName: string;
  readonly eventBusName: string;
}

/** Time the redrive leaves itself before its function times out, to finish the messages it holds. */
const REDRIVE_SAFETY_MARGIN_SECONDS = 15;

export function functionEnvironment(stage: StageConfig, resources: PipelineResourceNames): FunctionEnvironment {
  const app = stage.application;
  const redriveBudgetMs = Math.min(900_000, Math.max(1_000, (stage.functions.redrive.timeoutSeconds - REDRIVE_SAFETY_MARGIN_SECONDS) * 1000));
  const pipeline: Required<Omit<PipelineEnvironment, 'SUPPORTED_CURRENCIES' | 'MAX_ORDER_TOTAL_MINOR' | 'TAX_RATE_BASIS_POINTS'>> = {
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
  };
  return {
    ...pipeline,
    POWERTOOLS_SERVICE_NAME: app.serviceName,
    POWERTOOLS_METRICS_NAMESPACE: app.metricsNamespace,
    POWERTOOLS_LOG_LEVEL: stage.logLevel,
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/** The environment as Lambda's variables map. */
export function environmentVariables(environment: FunctionEnvironment): Record<string, string> {
  return Object.fromEntries(Object.entries(environment).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}
