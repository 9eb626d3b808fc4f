import type { StoreOutageMode } from '../application/config/pipeline-config.js';
import type { BackoffStrategy } from '../domain/backoff.js';
import type { PipelineFunctionName } from '../application/workflows/pipeline-function.js';
import type { OutboxSettings } from './outbox-settings.js';
import {
  DEV_ALARMS,
  DEV_OPERATIONS,
  PROD_ALARMS,
  PROD_OPERATIONS,
  SANDBOX_OPERATIONS,
  type AlarmThresholds,
  type Operations,
} from './operations-config.js';
import type { BreakerOverrides } from '../application/config/breaker-overrides.js';

/**
 * Which topology carries the traffic. `composed`: the ingest and worker functions run the steps in one
 * process. `orchestrated`: Step Functions Express workflows run the single-purpose functions, reached by
 * the API and by an EventBridge Pipe from the order queue. `both`: everything is deployed; POST /orders
 * stays composed, the orchestrated ingest answers on POST /orchestrated/orders, the worker consumes the
 * order queue and the pipe a queue of its own, and the publishers split orders between the two queues by
 * idempotency key with the migration phase's `orchestratedSharePercent`.
 */
export type Topology = 'composed' | 'orchestrated' | 'both';

/**
 * The seed's migration phases: each decides the share of orders sent to the orchestrated topology
 * (applies when the stage's topology is `both`; a stage with one topology sends it everything). The
 * code-version canary is a separate setting (`migration.canary`), so a phase always means one share.
 */
export type MigrationPhase = 1 | 2 | 3 | 4;

export interface MigrationPhaseSettings {
  readonly description: string;
  /**
   * Share (whole percent, 0–100) of orders the publishers (ingest, publish, redrive) send to the
   * orchestrated topology's queue instead of the worker's, chosen by idempotency key
   * (domain/traffic-split.ts). Applies when the topology is `both`.
   */
  readonly orchestratedSharePercent: number;
}

export const MIGRATION_PHASES: Readonly<Record<MigrationPhase, MigrationPhaseSettings>> = {
  1: { description: 'Deploy the new functions alongside the existing ones; they get no traffic yet', orchestratedSharePercent: 0 },
  2: { description: 'Route a small share of traffic to the new architecture', orchestratedSharePercent: 10 },
  3: { description: 'Route half of the traffic to the new architecture', orchestratedSharePercent: 50 },
  4: {
    description:
      'All traffic on the new architecture; the monolithic functions can be deprecated (topology `orchestrated`, with `drainOrchestratedQueue` until the orchestrated queue is empty)',
    orchestratedSharePercent: 100,
  },
};

/**
 * A code-version canary: every function is published as a new version on each change and invoked
 * through its `live` alias, which sends `newVersionWeight` of the invocations to the newest version and
 * the rest to the version recorded for it in `previousVersions` (a function without one follows its
 * newest version). Leave it out to send everything to the newest versions.
 */
export interface VersionCanary {
  readonly previousVersions: Readonly<Partial<Record<PipelineFunctionName, string>>>;
  /** Share (0–1) of each alias's invocations routed to the newest version. */
  readonly newVersionWeight: number;
}

export interface FunctionSettings {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** Reserved concurrency; left out where the account's shared pool is the better limit. */
  readonly reservedConcurrency?: number;
}

export type ApiAuthorization =
  { readonly type: 'iam' } | { readonly type: 'jwt'; readonly issuer: string; readonly audience: readonly string[] };

export interface StageConfig {
  readonly stage: string;
  readonly region: string;
  /** Prefix of every resource name, e.g. `orders-dev`. */
  readonly namePrefix: string;
  readonly topology: Topology;
  readonly migration: {
    readonly phase: MigrationPhase;
    readonly canary?: VersionCanary;
    /**
     * Only with topology `orchestrated`, for the deploys after the switch from `both`: keep the orchestrated
     * queue (unchanged, still redriving to the DLQ) and a pipe of its own feeding what is left on it to the
     * consume workflow, while the publishers no longer send to it. SQS deletes a queue with its messages, so
     * switch this off, which deletes the queue and that pipe, only once the queue has stayed empty.
     */
    readonly drainOrchestratedQueue?: boolean;
  };
  readonly functions: Readonly<Record<PipelineFunctionName, FunctionSettings>>;
  readonly logRetentionDays: number;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly queue: {
    /**
     * Receives before SQS moves a message to the DLQ (from the order queue and, while it exists, the
     * orchestrated queue alike); AWS advises at least 5 (throttled invocations consume receives too).
     */
    readonly maxReceiveCount: number;
    readonly retentionSeconds: number;
  };
  readonly worker: {
    readonly batchSize: number;
    readonly batchingWindowSeconds: number;
    /** Event source mapping MaximumConcurrency (2–1000); used unless `scaling` chooses provisioned pollers. */
    readonly maximumConcurrency: number;
    /** How the mapping scales; absent: `maximum-concurrency` (standard mode, capped by `maximumConcurrency`). */
    readonly scaling?: WorkerScaling;
  };
  readonly api: {
    readonly authorization: ApiAuthorization;
    readonly throttlingRateLimit: number;
    readonly throttlingBurstLimit: number;
  };
  /**
   * EventBridge Scheduler expression for the redrive's one schedule, e.g. `rate(5 minutes)`: each run
   * redelivers what the outbox owes, then redrives the DLQ (the two never contend for the function's
   * concurrency of 1). It is therefore also the outbox redelivery's period.
   */
  readonly redriveSchedule: string;
  readonly eventArchiveRetentionDays: number;
  /** Refuse to delete the idempotency table; switch off and deploy before `cdktf destroy`. */
  readonly deletionProtection: boolean;
  readonly application: {
    readonly serviceName: string;
    readonly metricsNamespace: string;
    readonly eventSource: string;
    readonly allowFailureSimulation: boolean;
    readonly idempotencyTtlSeconds: number;
    readonly workerConcurrency: number;
    readonly backoffStrategy: BackoffStrategy;
    /** Retry delays start near this many seconds and never exceed the cap (at most 900, SQS's DelaySeconds limit). */
    readonly backoffBaseSeconds: number;
    readonly backoffCapSeconds: number;
    readonly redriveMaxAttempts: number;
    readonly redriveMessageBudget: number;
    /**
     * Receives after which the redrive presumes a message with no recorded reason fails for good. It must
     * be above `queue.maxReceiveCount + 1`, the count a message SQS moved has on its first read from the
     * DLQ: such a message may have failed only because DynamoDB was down (no claim, so no category), and
     * is redriven under the redrive's own budget rather than parked at first sight.
     */
    readonly permanenceReceiveThreshold: number;
    readonly maxBodyBytes: number;
    /**
     * What the edge does while DynamoDB cannot take its reservation: `strict` (the default: 503 with
     * Retry-After, first accepted wins always) or `buffer` (accept and queue; the worker's claim decides
     * conflicting re-posts once DynamoDB is back). README: "The edge during a store outage".
     */
    readonly storeOutageMode?: StoreOutageMode;
  };
  readonly outbox: OutboxSettings;
  /** Alarm thresholds (terraform/operations-config.ts; each runbook in docs/runbooks/ explains its number). */
  readonly alarms: AlarmThresholds;
  /** Notifications, state backend, concurrency quota, source maps (terraform/operations-config.ts). */
  readonly operations: Operations;
  /**
   * Circuit breaker overrides per dependency, laid over the defaults (application/config/breaker-defaults.ts: the seed's
   * count rule at low volume, the failure ratio over the last calls at volume). The functions receive the
   * resolved settings as BREAKER_SETTINGS.
   */
  readonly breakers: BreakerOverrides;
}

const SMALL: FunctionSettings = { memoryMb: 256, timeoutSeconds: 10 };
/** The outbox relay: a batch of stream records may need several PutEvents calls, each retried on throttling. */
const RELAY: FunctionSettings = { memoryMb: 256, timeoutSeconds: 30 };
/**
 * The orchestrated edge waits on one synchronous execution (validate → publish): little memory, and as
 * long as the HTTP API waits for an integration (30 s), no longer.
 */
const EDGE: FunctionSettings = { memoryMb: 256, timeoutSeconds: 29 };

const DEV: StageConfig = {
  stage: 'dev',
  region: 'eu-west-1',
  namePrefix: 'orders-dev',
  topology: 'both',
  migration: { phase: 1 },
  functions: {
    validate: SMALL,
    publish: SMALL,
    idempotency: SMALL,
    processor: { memoryMb: 512, timeoutSeconds: 30 },
    'outbox-relay': RELAY,
    ingest: { memoryMb: 512, timeoutSeconds: 15 },
    'orchestrated-ingest': EDGE,
    worker: { memoryMb: 1024, timeoutSeconds: 60 },
    // New accounts have 10 concurrent executions and none may be reserved; dev reserves nothing.
    redrive: { memoryMb: 512, timeoutSeconds: 120 },
    status: SMALL,
  },
  logRetentionDays: 14,
  logLevel: 'DEBUG',
  queue: { maxReceiveCount: 5, retentionSeconds: 4 * 24 * 3600 },
  worker: { batchSize: 10, batchingWindowSeconds: 1, maximumConcurrency: 2 },
  api: { authorization: { type: 'iam' }, throttlingRateLimit: 20, throttlingBurstLimit: 40 },
  // Also the outbox redelivery's period: one schedule runs both (terraform/constructs/redrive-schedule.ts).
  redriveSchedule: 'rate(5 minutes)',
  eventArchiveRetentionDays: 7,
  deletionProtection: false,
  application: {
    serviceName: 'orders',
    metricsNamespace: 'OrderPipeline',
    eventSource: 'orders.pipeline',
    allowFailureSimulation: true,
    idempotencyTtlSeconds: 24 * 3600,
    workerConcurrency: 10,
    backoffStrategy: 'full-jitter',
    backoffBaseSeconds: 2,
    backoffCapSeconds: 900,
    redriveMaxAttempts: 5,
    redriveMessageBudget: 100,
    permanenceReceiveThreshold: 10,
    maxBodyBytes: 262_144,
  },
  outbox: { batchSize: 10, batchingWindowSeconds: 1, maximumRetryAttempts: 5, maximumRecordAgeSeconds: 900, sweepAgeSeconds: 120 },
  alarms: DEV_ALARMS,
  operations: DEV_OPERATIONS,
  breakers: {},
};

const PROD: StageConfig = {
  ...DEV,
  stage: 'prod',
  namePrefix: 'orders-prod',
  topology: 'composed',
  migration: { phase: 4 },
  functions: {
    ...DEV.functions,
    ingest: { ...DEV.functions.ingest, reservedConcurrency: 100 },
    // Takes over the composed ingest's traffic when the stage switches topology.
    'orchestrated-ingest': { ...EDGE, reservedConcurrency: 100 },
    // At least the event source mapping's maximum concurrency, or Lambda throttles the pollers' batches.
    worker: { ...DEV.functions.worker, reservedConcurrency: 20 },
    // One run at a time: overlapping redrives would move the same messages twice.
    redrive: { ...DEV.functions.redrive, reservedConcurrency: 1 },
  },
  logRetentionDays: 365,
  logLevel: 'INFO',
  queue: { maxReceiveCount: 8, retentionSeconds: 4 * 24 * 3600 },
  worker: { batchSize: 25, batchingWindowSeconds: 2, maximumConcurrency: 20 },
  api: { ...DEV.api, throttlingRateLimit: 200, throttlingBurstLimit: 400 },
  eventArchiveRetentionDays: 30,
  deletionProtection: true,
  application: { ...DEV.application, allowFailureSimulation: false, idempotencyTtlSeconds: 7 * 24 * 3600 },
  outbox: { ...DEV.outbox, maximumRetryAttempts: 10, maximumRecordAgeSeconds: 3600 },
  alarms: PROD_ALARMS,
  operations: PROD_OPERATIONS,
};

/** dev's settings for one engineer's throw-away deploy: its own names, state in a local file. */
const SANDBOX: StageConfig = { ...DEV, stage: 'sandbox', namePrefix: 'orders-sandbox', operations: SANDBOX_OPERATIONS };

export const STAGES: Readonly<Record<string, StageConfig>> = { dev: DEV, prod: PROD, sandbox: SANDBOX };

/** The SQS maximum; the DLQ keeps messages this long, longer than the source queue (they keep their enqueue time). */
export const DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600;

/**
 * The worker mapping's scaling. `maximum-concurrency`: standard mode (pollers scale by themselves, +300
 * concurrent invokes a minute), capped by `worker.maximumConcurrency`. `provisioned`: SQS provisioned mode
 * (GA November 2025): dedicated pollers between the two bounds, each about 1 MB/s and up to 10 concurrent
 * invokes, scaling faster; the minimum is billed always, and it cannot be combined with MaximumConcurrency
 * (the function's reserved concurrency is then the cap).
 */
export type WorkerScaling =
  | { readonly mode: 'maximum-concurrency' }
  | { readonly mode: 'provisioned'; readonly minimumPollers: number; readonly maximumPollers: number };

/** SQS provisioned mode's bounds as CloudFormation and the pinned provider document them (newer API pages allow up to 10 000 maximum pollers). */
export const PROVISIONED_POLLER_LIMITS = { minimum: { from: 2, to: 200 }, maximum: { from: 2, to: 2_000 } } as const;
