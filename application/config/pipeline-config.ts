import { DEFAULT_BACKOFF_POLICY, SQS_MAX_DELAY_SECONDS, type BackoffPolicy, type BackoffStrategy } from '../../domain/backoff.js';
import { DEFAULT_ACCEPT_LEASE_MS } from '../../domain/idempotency-reservation.js';
import { isIsoCurrency } from '../../domain/money.js';
import { parseBreakerSettings, type BreakerSettingsByService } from './breaker-overrides.js';

/**
 * The environment every function reads, validated once in the composition root. The infrastructure
 * (terraform/) builds each function's environment from `PipelineEnvironment`, so the names cannot drift.
 */
export interface PipelineEnvironment {
  PIPELINE_BACKEND?: 'aws' | 'memory';
  SERVICE_NAME?: string;
  ORDER_QUEUE_URL?: string;
  /** The queue the orchestrated topology consumes while both run (migration phases 2–3); see ORCHESTRATED_SHARE_PERCENT. */
  ORCHESTRATED_QUEUE_URL?: string;
  /** Share (0–100) of orders published to ORCHESTRATED_QUEUE_URL instead of ORDER_QUEUE_URL, chosen by idempotency key. */
  ORCHESTRATED_SHARE_PERCENT?: string;
  DEAD_LETTER_QUEUE_URL?: string;
  IDEMPOTENCY_TABLE_NAME?: string;
  EVENT_BUS_NAME?: string;
  EVENT_SOURCE?: string;
  ALLOW_FAILURE_SIMULATION?: 'true' | 'false';
  SUPPORTED_CURRENCIES?: string;
  MAX_ORDER_TOTAL_MINOR?: string;
  TAX_RATE_BASIS_POINTS?: string;
  MAX_BODY_BYTES?: string;
  IDEMPOTENCY_TTL_SECONDS?: string;
  ACCEPT_LEASE_MS?: string;
  WORKER_CONCURRENCY?: string;
  BACKOFF_STRATEGY?: BackoffStrategy;
  BACKOFF_BASE_SECONDS?: string;
  BACKOFF_CAP_SECONDS?: string;
  REDRIVE_MAX_ATTEMPTS?: string;
  REDRIVE_MESSAGE_BUDGET?: string;
  REDRIVE_TIME_BUDGET_MS?: string;
  PERMANENCE_RECEIVE_THRESHOLD?: string;
  OUTBOX_DEAD_LETTER_QUEUE_URL?: string;
  OUTBOX_SWEEP_AGE_SECONDS?: string;
  /** JSON per-service breaker overrides (application/config/breaker-overrides.ts); absent: the per-service defaults. */
  BREAKER_SETTINGS?: string;
  /** The ingest workflow's state machine: only the orchestrated edge (`orchestrated-ingest`) starts it. */
  INGEST_STATE_MACHINE_ARN?: string;
  /** What the edge does when DynamoDB cannot take the reservation: `strict` (503, the default) or `buffer`. */
  STORE_OUTAGE_MODE?: StoreOutageMode;
}

/**
 * The edge's choice when the idempotency store cannot answer its reservation (TRANSIENT or TIMEOUT, or
 * its breaker open). `strict`: 503 with Retry-After, so first accepted wins always holds. `buffer`: the
 * order is queued without a reservation and 202 answered; the worker's claim makes the record when the
 * store is back, so the first claimed (not the first accepted) of conflicting re-posts wins.
 */
export const STORE_OUTAGE_MODES = ['strict', 'buffer'] as const;
export type StoreOutageMode = (typeof STORE_OUTAGE_MODES)[number];

export interface PipelineConfig {
  readonly backend: 'aws' | 'memory';
  readonly serviceName: string;
  readonly orderQueueUrl: string;
  /** Set when a share of orders goes to the orchestrated topology's own queue. */
  readonly orchestratedQueueUrl: string | undefined;
  readonly orchestratedSharePercent: number;
  readonly deadLetterQueueUrl: string;
  readonly idempotencyTableName: string;
  readonly eventBusName: string;
  readonly eventSource: string;
  readonly allowFailureSimulation: boolean;
  readonly supportedCurrencies: readonly string[] | undefined;
  readonly maxOrderTotalMinor: number;
  readonly taxRateBasisPoints: number;
  readonly maxBodyBytes: number;
  readonly idempotencyTtlSeconds: number;
  /**
   * How long the edge's reservation answers same-payload copies IN_PROGRESS before one may re-send its
   * message, and after which the scheduled sweep sends (or releases) a reservation no worker claimed.
   */
  readonly acceptLeaseMs: number;
  readonly workerConcurrency: number;
  readonly backoffStrategy: BackoffStrategy;
  readonly backoffBaseSeconds: number;
  readonly backoffCapSeconds: number;
  readonly redriveMaxAttempts: number;
  readonly redriveMessageBudget: number;
  readonly redriveTimeBudgetMs: number;
  readonly permanenceReceiveThreshold: number;
  /** The outbox pipe's DLQ; the redrive's outbox redelivery reads it (unset: redelivery sweeps only when asked to). */
  readonly outboxDeadLetterQueueUrl: string | undefined;
  /** The outbox sweep re-delivers events left undelivered for longer than this. */
  readonly outboxSweepAgeSeconds: number;
  readonly breakers: BreakerSettingsByService;
  /** Set only in the orchestrated edge's environment; its workflow starter requires it. */
  readonly ingestStateMachineArn: string | undefined;
  readonly storeOutageMode: StoreOutageMode;
}

export class ConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigurationError';
  }
}

const BACKOFF_STRATEGIES: readonly BackoffStrategy[] = ['seed', 'full-jitter', 'equal-jitter', 'decorrelated-jitter'];
const MEMORY_PLACEHOLDER = 'memory';

/** Reads and validates the environment; every problem is reported at once, naming the variable. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): PipelineConfig {
  const problems: string[] = [];
  const backend = oneOf(env, 'PIPELINE_BACKEND', ['aws', 'memory'] as const, 'aws', problems);
  const awsOnly = (name: keyof PipelineEnvironment): string => {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return value.trim();
    if (backend === 'aws') problems.push(`${name} is required when PIPELINE_BACKEND=aws`);
    return MEMORY_PLACEHOLDER;
  };
  const config: PipelineConfig = {
    backend,
    serviceName: text(env, 'SERVICE_NAME', 'orders'),
    orderQueueUrl: awsOnly('ORDER_QUEUE_URL'),
    orchestratedQueueUrl: text(env, 'ORCHESTRATED_QUEUE_URL', '') || undefined,
    orchestratedSharePercent: integer(env, 'ORCHESTRATED_SHARE_PERCENT', 0, 0, 100, problems),
    deadLetterQueueUrl: awsOnly('DEAD_LETTER_QUEUE_URL'),
    idempotencyTableName: awsOnly('IDEMPOTENCY_TABLE_NAME'),
    eventBusName: awsOnly('EVENT_BUS_NAME'),
    eventSource: text(env, 'EVENT_SOURCE', 'orders.pipeline'),
    allowFailureSimulation: oneOf(env, 'ALLOW_FAILURE_SIMULATION', ['true', 'false'] as const, 'false', problems) === 'true',
    supportedCurrencies: currencies(env, problems),
    maxOrderTotalMinor: integer(env, 'MAX_ORDER_TOTAL_MINOR', 100_000_000, 1, Number.MAX_SAFE_INTEGER, problems),
    taxRateBasisPoints: integer(env, 'TAX_RATE_BASIS_POINTS', 0, 0, 10_000, problems),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 262_144, 1_024, 1_048_576, problems),
    idempotencyTtlSeconds: integer(env, 'IDEMPOTENCY_TTL_SECONDS', 7 * 24 * 3600, 60, 365 * 24 * 3600, problems),
    acceptLeaseMs: integer(env, 'ACCEPT_LEASE_MS', DEFAULT_ACCEPT_LEASE_MS, 1_000, 300_000, problems),
    workerConcurrency: integer(env, 'WORKER_CONCURRENCY', 10, 1, 100, problems),
    backoffStrategy: oneOf(env, 'BACKOFF_STRATEGY', BACKOFF_STRATEGIES, 'full-jitter', problems),
    backoffBaseSeconds: integer(env, 'BACKOFF_BASE_SECONDS', DEFAULT_BACKOFF_POLICY.baseSeconds, 0, SQS_MAX_DELAY_SECONDS, problems),
    backoffCapSeconds: integer(env, 'BACKOFF_CAP_SECONDS', DEFAULT_BACKOFF_POLICY.capSeconds, 0, SQS_MAX_DELAY_SECONDS, problems),
    redriveMaxAttempts: integer(env, 'REDRIVE_MAX_ATTEMPTS', 5, 0, 100, problems),
    redriveMessageBudget: integer(env, 'REDRIVE_MESSAGE_BUDGET', 100, 1, 10_000, problems),
    redriveTimeBudgetMs: integer(env, 'REDRIVE_TIME_BUDGET_MS', 20_000, 1_000, 900_000, problems),
    permanenceReceiveThreshold: integer(env, 'PERMANENCE_RECEIVE_THRESHOLD', 10, 1, 1_000, problems),
    outboxDeadLetterQueueUrl: text(env, 'OUTBOX_DEAD_LETTER_QUEUE_URL', '') || undefined,
    outboxSweepAgeSeconds: integer(env, 'OUTBOX_SWEEP_AGE_SECONDS', 60, 0, 24 * 3600, problems),
    breakers: parseBreakerSettings(env.BREAKER_SETTINGS, problems),
    ingestStateMachineArn: text(env, 'INGEST_STATE_MACHINE_ARN', '') || undefined,
    storeOutageMode: oneOf(env, 'STORE_OUTAGE_MODE', STORE_OUTAGE_MODES, 'strict', problems),
  };
  if (config.orchestratedSharePercent > 0 && config.backend === 'aws' && config.orchestratedQueueUrl === undefined) {
    problems.push('ORCHESTRATED_QUEUE_URL is required when ORCHESTRATED_SHARE_PERCENT is above 0');
  }
  if (config.backoffCapSeconds < config.backoffBaseSeconds) {
    problems.push(
      `BACKOFF_CAP_SECONDS (${config.backoffCapSeconds}) must not be below BACKOFF_BASE_SECONDS (${config.backoffBaseSeconds})`,
    );
  }
  if (problems.length > 0) throw new ConfigurationError(problems);
  return config;
}

/** The retry-delay policy the worker and the redrive share. */
export function backoffPolicyOf(
  config: Pick<PipelineConfig, 'backoffStrategy' | 'backoffBaseSeconds' | 'backoffCapSeconds'>,
): BackoffPolicy {
  return {
    ...DEFAULT_BACKOFF_POLICY,
    strategy: config.backoffStrategy,
    baseSeconds: config.backoffBaseSeconds,
    capSeconds: config.backoffCapSeconds,
  };
}

function text(env: Readonly<Record<string, string | undefined>>, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? fallback : value;
}

function oneOf<T extends string>(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  allowed: readonly T[],
  fallback: T,
  problems: string[],
): T {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return fallback;
}

function integer(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    problems.push(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
    return fallback;
  }
  return parsed;
}

function currencies(env: Readonly<Record<string, string | undefined>>, problems: string[]): readonly string[] | undefined {
  const value = env.SUPPORTED_CURRENCIES?.trim();
  if (value === undefined || value === '') return undefined;
  const codes = value
    .split(',')
    .map((code) => code.trim().toUpperCase())
    .filter((code) => code !== '');
  // Only codes the order rules know (domain/money.ts): any other would make every order in it fail.
  const bad = codes.filter((code) => !isIsoCurrency(code));
  if (bad.length > 0 || codes.length === 0)
    problems.push(`SUPPORTED_CURRENCIES must be a comma-separated list of supported ISO 4217 codes (bad: ${bad.join(', ') || 'empty'})`);
  return codes;
}
