import { parseArgs } from 'node:util';
import { SERVICE_NAMES } from '../../application/config/breaker-defaults.js';
import type { LogLevel } from '../../application/ports/logger.js';
import { parseDuration } from './durations.js';
import {
  DEFAULT_HARNESS_OPTIONS,
  DEFAULT_ORCHESTRATED_SHARE_PERCENT,
  harnessOptionProblems,
  TOPOLOGIES,
  type HarnessOptions,
} from './options.js';
import { parseKeyValues, parseProbability } from './key-values.js';
import { CRASH_POINTS, FAULT_FUNCTION_NAMES } from '../faults/fault-vocabulary.js';

export const USAGE = `Usage: npm start -- [options]

Runs the order pipeline on this machine: the HTTP API, the SQS event source, the worker, the
redrive, and a status page at http://127.0.0.1:<port>/.

  --port N                     HTTP port on 127.0.0.1 (default 3000; 0 picks a free one)
  --backend memory|aws         in-memory SQS/DynamoDB/EventBridge (default), or the AWS adapters
                               against AWS_ENDPOINT_URL (moto) or the account in your credentials
  --bootstrap                  aws: create the queues, table and event bus when missing
  --topology composed|orchestrated|both
                               ingest + worker functions (default), or the five step functions
                               chained as the Step Functions workflows define them, or both side by
                               side as in migration phases 2–3: POST /orders is the composed ingest,
                               POST /orchestrated/orders the ingest workflow, and each order goes to
                               the worker's queue or the orchestrated queue by its idempotency key
  --orchestrated-share 10      both: percentage of orders (0–100) sent to the orchestrated
                               topology's queue (default 10, migration phase 2)
  --faults dynamodb=0.2,sqs=0.1,eventbridge=0.3
                               failure probability per call to each service
  --latency dynamodb=50ms      latency added to every call to a service
  --crash-after process=0.05   probability that a worker dies after the business step and
                               before it completes the record; reserve=P: that the edge dies
                               after its reservation and before its send
  --fault-functions worker,ingest
                               inject faults only into these functions' calls (default: all)
  --seed N                     seeds jitter and fault decisions (default 1)
  --redrive-every 30s          how often the redrive runs (0: only on POST /admin/redrive)
  --batch-size 10              records per worker invocation (1–10000)
  --batching-window 0s         how long the event source gathers a batch (0–300s)
  --max-concurrency 2          batches in flight at once (2–1000)
  --function-timeout 30s       the worker's timeout; a slower invocation is abandoned
  --visibility-timeout 180s    order queue visibility timeout (default: 6 x timeout + window,
                               at least 180s, the rule the infrastructure uses)
  --max-receive-count 5        receives before SQS moves a message to the DLQ
  --breaker-recovery 30s       recovery time of every circuit breaker (default: per service)
  --fleet-pause                pause the event sources while a dependency's breakers open (fleet
                               flow control: one probe per recovery period resumes them)
  --drain-timeout 10s          on Ctrl-C, how long the worker keeps draining the order queue once
                               requests stop (0: no drain; running batches always finish)
  --log-level INFO             DEBUG, INFO, WARN or ERROR
  --pretty                     human-readable logs instead of JSON lines
  --help                       this text

Environment: the pipeline's own variables (ALLOW_FAILURE_SIMULATION, TAX_RATE_BASIS_POINTS, …)
are read as in Lambda; ALLOW_FAILURE_SIMULATION defaults to true here.
`;

export type CliResult =
  | { readonly kind: 'run'; readonly options: HarnessOptions }
  | { readonly kind: 'help' }
  | { readonly kind: 'invalid'; readonly problems: readonly string[] };

const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
/** The invocation names of the harness' functions: the composed ones, the redrive, and the workflow steps. */
const FUNCTION_NAMES = FAULT_FUNCTION_NAMES;

function functionNames(text: string, problems: string[]): readonly string[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !FUNCTION_NAMES.includes(name));
  if (unknown.length > 0)
    problems.push(`--fault-functions: unknown function(s) ${unknown.join(', ')} (one of ${FUNCTION_NAMES.join(', ')})`);
  return names;
}

export function parseHarnessArgs(argv: readonly string[], defaults: HarnessOptions = DEFAULT_HARNESS_OPTIONS): CliResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        backend: { type: 'string' },
        bootstrap: { type: 'boolean' },
        topology: { type: 'string' },
        'orchestrated-share': { type: 'string' },
        faults: { type: 'string' },
        latency: { type: 'string' },
        'crash-after': { type: 'string' },
        'fault-functions': { type: 'string' },
        seed: { type: 'string' },
        'redrive-every': { type: 'string' },
        'batch-size': { type: 'string' },
        'batching-window': { type: 'string' },
        'max-concurrency': { type: 'string' },
        'function-timeout': { type: 'string' },
        'visibility-timeout': { type: 'string' },
        'max-receive-count': { type: 'string' },
        'breaker-recovery': { type: 'string' },
        'drain-timeout': { type: 'string' },
        'log-level': { type: 'string' },
        pretty: { type: 'boolean' },
        'fleet-pause': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'invalid', problems: [(error as Error).message] };
  }
  if (values.help === true) return { kind: 'help' };
  const problems: string[] = [];
  const text = (name: string): string | undefined => (typeof values[name] === 'string' ? values[name] : undefined);
  const integer = (name: string, fallback: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value.trim())) {
      problems.push(`--${name} must be an integer (got "${value}")`);
      return fallback;
    }
    return Number(value);
  };
  const duration = (name: string, fallback: number): number => {
    const value = text(name);
    if (value === undefined) return fallback;
    const parsed = parseDuration(value);
    if (typeof parsed === 'string') {
      problems.push(`--${name}: ${parsed}`);
      return fallback;
    }
    return parsed;
  };
  const seconds = (name: string, fallback: number): number => {
    const ms = duration(name, fallback * 1_000);
    if (ms % 1_000 !== 0) problems.push(`--${name} must be whole seconds`);
    return ms / 1_000;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const value = text(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    problems.push(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  };
  const visibility = text('visibility-timeout') === undefined ? defaults.visibilityTimeoutSeconds : seconds('visibility-timeout', 0);
  const breakerRecovery = text('breaker-recovery') === undefined ? defaults.breakerRecoveryMs : duration('breaker-recovery', 0);
  const topology = oneOf('topology', TOPOLOGIES, defaults.topology);
  const orchestratedShare =
    text('orchestrated-share') === undefined
      ? topology === 'both'
        ? (defaults.orchestratedSharePercent ?? DEFAULT_ORCHESTRATED_SHARE_PERCENT)
        : defaults.orchestratedSharePercent
      : integer('orchestrated-share', 0);
  const options: HarnessOptions = {
    port: integer('port', defaults.port),
    backend: oneOf('backend', ['memory', 'aws'] as const, defaults.backend),
    bootstrap: values.bootstrap === true || defaults.bootstrap,
    topology,
    orchestratedSharePercent: orchestratedShare,
    faults:
      text('faults') === undefined
        ? defaults.faults
        : parseKeyValues(text('faults') ?? '', SERVICE_NAMES, parseProbability, problems, '--faults'),
    latencyMs:
      text('latency') === undefined
        ? defaults.latencyMs
        : parseKeyValues(text('latency') ?? '', SERVICE_NAMES, parseDuration, problems, '--latency'),
    crashAfter:
      text('crash-after') === undefined
        ? defaults.crashAfter
        : parseKeyValues(text('crash-after') ?? '', CRASH_POINTS, parseProbability, problems, '--crash-after'),
    faultFunctions:
      text('fault-functions') === undefined ? defaults.faultFunctions : functionNames(text('fault-functions') ?? '', problems),
    seed: integer('seed', defaults.seed),
    redriveEveryMs: duration('redrive-every', defaults.redriveEveryMs),
    batchSize: integer('batch-size', defaults.batchSize),
    batchingWindowMs: duration('batching-window', defaults.batchingWindowMs),
    maxConcurrency: integer('max-concurrency', defaults.maxConcurrency),
    functionTimeoutSeconds: seconds('function-timeout', defaults.functionTimeoutSeconds),
    visibilityTimeoutSeconds: visibility,
    maxReceiveCount: integer('max-receive-count', defaults.maxReceiveCount),
    breakerRecoveryMs: breakerRecovery,
    fleetPause: values['fleet-pause'] === true || defaults.fleetPause,
    pollIntervalMs: defaults.pollIntervalMs,
    drainTimeoutMs: duration('drain-timeout', defaults.drainTimeoutMs),
    historyEveryMs: defaults.historyEveryMs,
    pretty: values.pretty === true || defaults.pretty,
    logLevel: oneOf('log-level', LOG_LEVELS, defaults.logLevel),
  };
  problems.push(...harnessOptionProblems(options));
  return problems.length > 0 ? { kind: 'invalid', problems } : { kind: 'run', options };
}
