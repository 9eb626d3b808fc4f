import 'reflect-metadata';
import { Container } from 'inversify';
import type { EventBus } from '../../application/ports/event-bus.js';
import type { IdempotencyStore } from '../../application/ports/idempotency-store.js';
import type { PipelineConfig } from '../../application/config/pipeline-config.js';
import type { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { ADAPTERS } from '../../application/tokens.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { visibilityTimeoutSeconds } from '../../domain/visibility-timeout.js';
import { createAwsBackend } from '../backends/aws-backend.js';
import type { Backend } from '../backends/backend.js';
import { createMemoryBackend } from '../backends/memory-backend.js';
import { orchestratedShareOf, type HarnessOptions } from '../cli/options.js';
import { FaultInjection } from '../faults/faults.js';
import { CommitLedger } from '../observation/commit-ledger.js';
import type { ConsumptionLog } from '../observation/consumption-log.js';
import type { EventLog } from '../observation/event-log.js';
import { harnessObservers, JOURNAL_FILE } from '../observation/observation-journal.js';
import { HarnessFunctions } from '../pipeline/functions.js';
import { harnessConfig } from '../pipeline/config.js';
import { ConsoleLogger } from './console-logger.js';
import type { HarnessIo } from './types.js';
import { rebindWithFaults } from './wiring.js';

/** Keeps the fault decisions' sequence apart from the jitter's, both from one seed. */
const FAULT_SEED_SALT = 0x5bd1e995;

/** What every other part of the harness is built on: the backend, the shared adapters behind their faults, what observes them, and the functions. */
export interface HarnessCore {
  readonly options: HarnessOptions;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: SystemClock;
  readonly random: SeededRandom;
  readonly logger: ConsoleLogger;
  readonly metrics: RecordingMetrics;
  readonly backend: Backend;
  readonly config: PipelineConfig;
  /** The adapters every function shares (the same queues, table and bus), behind the fault decorators. */
  readonly adapters: Container;
  readonly faults: FaultInjection;
  readonly commits: CommitLedger;
  readonly events: EventLog;
  readonly consumption: ConsumptionLog;
  /** Each function in execution environments of its own, with its own breakers, as deployed. */
  readonly functions: HarnessFunctions;
  /** Breakers with the functions' settings, for the settings the views and the fleet pause read. */
  readonly referenceBreakers: CircuitBreakers;
  /** Topology `both`. */
  readonly both: boolean;
  readonly orchestratedSharePercent: number;
  readonly visibilityTimeoutSeconds: number;
  readonly functionTimeoutMs: number;
}

export async function createHarnessCore(options: HarnessOptions, io: HarnessIo): Promise<HarnessCore> {
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
  const both = options.topology === 'both';
  const orchestratedSharePercent = orchestratedShareOf(options);
  const backend = await createBackend(options, env, { clock, random, visibility, both, orchestratedSharePercent });

  const metrics = new RecordingMetrics();
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
  const functions = new HarnessFunctions({
    config: backend.config,
    services: { clock, random, logger, metrics },
    adapters,
    ...(options.breakerRecoveryMs === undefined ? {} : { breakerRecoveryMs: options.breakerRecoveryMs }),
  });
  return {
    options,
    env,
    clock,
    random,
    logger,
    metrics,
    backend,
    config: backend.config,
    adapters,
    faults,
    commits,
    events,
    consumption,
    functions,
    referenceBreakers: functions.referenceBreakers(),
    both,
    orchestratedSharePercent,
    visibilityTimeoutSeconds: visibility,
    functionTimeoutMs: options.functionTimeoutSeconds * 1_000,
  };
}

interface BackendChoice {
  readonly clock: SystemClock;
  readonly random: SeededRandom;
  readonly visibility: number;
  readonly both: boolean;
  readonly orchestratedSharePercent: number;
}

function createBackend(options: HarnessOptions, env: HarnessCore['env'], choice: BackendChoice): Promise<Backend> | Backend {
  const queues = { visibilityTimeoutSeconds: choice.visibility, maxReceiveCount: options.maxReceiveCount };
  if (options.backend === 'aws') {
    return createAwsBackend({
      env,
      bootstrap: options.bootstrap,
      ...queues,
      orchestratedQueue: choice.both,
      orchestratedSharePercent: choice.orchestratedSharePercent,
      clock: choice.clock,
      random: choice.random,
    });
  }
  const config = harnessConfig(env, 'memory', { ORCHESTRATED_SHARE_PERCENT: String(choice.orchestratedSharePercent) });
  return createMemoryBackend(config, choice.clock, choice.random, { ...queues, orchestratedQueue: choice.both });
}
