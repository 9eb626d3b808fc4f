import type { ServiceName } from '../../application/config/breaker-defaults.js';
import type { LogLevel } from '../../application/ports/logger.js';
import type { CrashPoint } from '../faults/fault-vocabulary.js';

export type BackendKind = 'memory' | 'aws';
/** `both`: the composed and orchestrated topologies side by side, as deployed in migration phases 2–3. */
export type Topology = 'composed' | 'orchestrated' | 'both';
export const TOPOLOGIES: readonly Topology[] = ['composed', 'orchestrated', 'both'];

/** Migration phase 2's share: what `--topology both` sends to the orchestrated topology unless told otherwise. */
export const DEFAULT_ORCHESTRATED_SHARE_PERCENT = 10;

export interface HarnessOptions {
  /** 0 picks a free port. The server always binds 127.0.0.1. */
  readonly port: number;
  readonly backend: BackendKind;
  /** aws backend: create the queues, table and bus when missing. */
  readonly bootstrap: boolean;
  readonly topology: Topology;
  /**
   * Topology `both`: the share (0–100) of orders the publishers send to the orchestrated topology's queue,
   * by idempotency key; undefined there means DEFAULT_ORCHESTRATED_SHARE_PERCENT. Refused with one topology.
   */
  readonly orchestratedSharePercent: number | undefined;
  /** Failure probability per port call, per service. */
  readonly faults: Partial<Record<ServiceName, number>>;
  /** Added to every port call, per service. */
  readonly latencyMs: Partial<Record<ServiceName, number>>;
  readonly crashAfter: Partial<Record<CrashPoint, number>>;
  /** Functions whose calls the faults reach (ingest, validate, publish, worker, redrive, or the step names); all when absent. */
  readonly faultFunctions: readonly string[] | undefined;
  /** Seeds jitter and fault decisions, so a run can be repeated. */
  readonly seed: number;
  /** 0: the redrive runs only on POST /admin/redrive. */
  readonly redriveEveryMs: number;
  /** The SQS event source mapping's BatchSize, MaximumBatchingWindowInSeconds and ScalingConfig.MaximumConcurrency. */
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly maxConcurrency: number;
  /** The worker function's timeout: its invocations are abandoned after it, as Lambda kills them. */
  readonly functionTimeoutSeconds: number;
  /** Of the order queue (memory backend, or created by --bootstrap); undefined: the project's rule from the function timeout. */
  readonly visibilityTimeoutSeconds: number | undefined;
  readonly maxReceiveCount: number;
  /** Overrides every breaker's recovery time (and failure window); undefined keeps the per-service settings. */
  readonly breakerRecoveryMs: number | undefined;
  /**
   * Fleet flow control: when a dependency's breakers open in any environment, the event sources stop
   * receiving until one probe per recovery period finds it back (application/use-cases/control-fleet-flow.ts).
   */
  readonly fleetPause: boolean;
  /** How long the event source waits before polling an empty queue again. */
  readonly pollIntervalMs: number;
  /** How long a stop lets the event source work the order queue empty; 0: no drain (batches in flight still finish). */
  readonly drainTimeoutMs: number;
  /** How often the status page's charts get a sample (GET /metrics' `history`); 0: no history. */
  readonly historyEveryMs: number;
  readonly pretty: boolean;
  readonly logLevel: LogLevel;
}

export const DEFAULT_HARNESS_OPTIONS: HarnessOptions = {
  port: 3000,
  backend: 'memory',
  bootstrap: false,
  topology: 'composed',
  orchestratedSharePercent: undefined,
  faults: {},
  latencyMs: {},
  crashAfter: {},
  faultFunctions: undefined,
  seed: 1,
  redriveEveryMs: 30_000,
  batchSize: 10,
  batchingWindowMs: 0,
  maxConcurrency: 2,
  functionTimeoutSeconds: 30,
  visibilityTimeoutSeconds: undefined,
  maxReceiveCount: 5,
  breakerRecoveryMs: undefined,
  fleetPause: false,
  pollIntervalMs: 100,
  drainTimeoutMs: 10_000,
  historyEveryMs: 2_000,
  pretty: false,
  logLevel: 'INFO',
};

/** Every reason the options cannot run, using the limits Lambda and SQS themselves enforce. */
export function harnessOptionProblems(options: HarnessOptions): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, problem: string): void => {
    if (!ok) problems.push(problem);
  };
  check(Number.isInteger(options.port) && options.port >= 0 && options.port <= 65_535, '--port must be 0–65535');
  check(Number.isInteger(options.batchSize) && options.batchSize >= 1 && options.batchSize <= 10_000, '--batch-size must be 1–10000');
  check(options.batchingWindowMs >= 0 && options.batchingWindowMs <= 300_000, '--batching-window must be 0–300s');
  check(
    options.batchSize <= 10 || options.batchingWindowMs >= 1_000,
    '--batch-size above 10 needs --batching-window of at least 1s (as Lambda requires)',
  );
  check(
    Number.isInteger(options.maxConcurrency) && options.maxConcurrency >= 2 && options.maxConcurrency <= 1_000,
    '--max-concurrency must be 2–1000 (ScalingConfig.MaximumConcurrency)',
  );
  // The worker starts no record with less than 3 s of its invocation left, so a shorter function would never work one.
  check(
    Number.isInteger(options.functionTimeoutSeconds) && options.functionTimeoutSeconds >= 5 && options.functionTimeoutSeconds <= 900,
    '--function-timeout must be whole seconds, 5–900 (the worker starts no record with less than 3 s left)',
  );
  const visibility = options.visibilityTimeoutSeconds;
  if (visibility !== undefined) {
    check(Number.isInteger(visibility) && visibility >= 0 && visibility <= 43_200, '--visibility-timeout must be whole seconds, 0–43200');
    check(
      visibility >= options.functionTimeoutSeconds,
      '--visibility-timeout must be at least --function-timeout (Lambda refuses the mapping otherwise)',
    );
  }
  check(
    Number.isInteger(options.maxReceiveCount) && options.maxReceiveCount >= 1 && options.maxReceiveCount <= 1_000,
    '--max-receive-count must be 1–1000',
  );
  check(options.redriveEveryMs === 0 || options.redriveEveryMs >= 100, '--redrive-every must be 0 (off) or at least 100ms');
  check(options.historyEveryMs === 0 || options.historyEveryMs >= 100, 'the history interval must be 0 (off) or at least 100ms');
  check(options.breakerRecoveryMs === undefined || options.breakerRecoveryMs >= 1, '--breaker-recovery must be positive');
  check(Number.isInteger(options.seed), '--seed must be an integer');
  check(options.pollIntervalMs >= 1, 'the poll interval must be positive');
  check(
    Number.isFinite(options.drainTimeoutMs) && options.drainTimeoutMs >= 0,
    '--drain-timeout must be 0 (no drain) or a positive duration',
  );
  check(options.backend === 'aws' || !options.bootstrap, '--bootstrap only applies to --backend aws');
  const share = options.orchestratedSharePercent;
  if (share !== undefined) {
    check(options.topology === 'both', "--orchestrated-share only applies to --topology both (one topology's queue carries every order)");
    check(Number.isInteger(share) && share >= 0 && share <= 100, '--orchestrated-share must be a whole percentage, 0–100');
  }
  return problems;
}

/**
 * The ORCHESTRATED_SHARE_PERCENT the pipeline runs with: the option's share in topology `both`, 0 with
 * one topology (whatever the environment says), as the stack sets it: a single topology's own queue
 * carries every order, and no publisher may send any to a queue nothing consumes.
 */
export function orchestratedShareOf(options: Pick<HarnessOptions, 'topology' | 'orchestratedSharePercent'>): number {
  return options.topology === 'both' ? (options.orchestratedSharePercent ?? DEFAULT_ORCHESTRATED_SHARE_PERCENT) : 0;
}
