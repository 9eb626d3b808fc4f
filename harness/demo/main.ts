import 'reflect-metadata';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { DemoClient } from './demo-client.js';
import { checkInvariants, endingOf, type FinalState } from './invariants.js';
import { runPartialDegradation } from './partial-degradation.js';
import { progressLine } from './progress.js';
import { renderReport } from './report.js';
import { emptyScenarioLog, runScenario, type ScenarioLog } from './scenario.js';
import type { FaultSettings } from '../faults/faults.js';
import { DEFAULT_HARNESS_OPTIONS, type HarnessOptions } from '../cli/options.js';
import { startHarness } from '../server/start-harness.js';
import type { Harness } from '../server/types.js';

/**
 * Background faults for the whole run, on top of which the scenario adds a burst of DynamoDB failures.
 * They reach the ingest and the worker, not the redrive: a redrive that fails half-way leaves the DLQ
 * messages it received invisible for its 60 s DLQ visibility timeout, longer than the demo may take.
 */
const BASE_FAULTS: FaultSettings = {
  failureRate: { dynamodb: 0.05, sqs: 0.05, eventbridge: 0.1 },
  latencyMs: { dynamodb: 5 },
  crashAfter: { process: 0.05 },
  functions: ['ingest', 'worker'],
};

/** Short timeouts so every retry path finishes within seconds: the demo must end well under a minute. */
function demoOptions(seed: number): HarnessOptions {
  return {
    ...DEFAULT_HARNESS_OPTIONS,
    port: 0,
    seed,
    faults: BASE_FAULTS.failureRate,
    latencyMs: BASE_FAULTS.latencyMs,
    crashAfter: BASE_FAULTS.crashAfter,
    faultFunctions: BASE_FAULTS.functions,
    redriveEveryMs: 1_000,
    batchSize: 10,
    batchingWindowMs: 200,
    maxConcurrency: 2,
    functionTimeoutSeconds: 5,
    visibilityTimeoutSeconds: 5,
    maxReceiveCount: 5,
    breakerRecoveryMs: 2_000,
    pollIntervalMs: 25,
    logLevel: 'DEBUG',
  };
}

const SETTLE_DEADLINE_MS = 50_000;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
  if (values.help === true) {
    process.stdout.write(
      "Usage: npm run demo -- [--seed N]\n\nRuns a scripted scenario with injected faults against an in-process harness and checks the pipeline's invariants; exits 1 if one fails.\n",
    );
    return 0;
  }
  const seed = values.seed === undefined ? 2026 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const started = Date.now();
  const logPath = join(tmpdir(), `order-pipeline-demo-${process.pid}.jsonl`);
  const logFile = createWriteStream(logPath);
  const harness = await startHarness(demoOptions(seed), {
    write: (line) => logFile.write(`${line}\n`),
    // Retry delays capped at 8 s keep the scenario to seconds; a deployment keeps the 900 s cap.
    env: { ...process.env, ALLOW_FAILURE_SIMULATION: 'true', BACKOFF_CAP_SECONDS: '8' },
  });
  const say = (text: string): void => {
    process.stdout.write(`${text}\n`);
  };
  say(`Order pipeline demo — harness at ${harness.url}/ (open it to watch), seed ${seed}`);
  say(
    'Background faults in the ingest and worker: dynamodb 5%, sqs 5%, eventbridge 10% of calls fail, 5 ms DynamoDB latency, 5% of workers die after the business step',
  );
  const log = emptyScenarioLog();
  const ticker = setInterval(() => {
    void harness.snapshot().then((metrics) => say(`  ${progressLine(Date.now() - started, metrics, log.accepted.size)}`));
  }, 1_000);
  try {
    await runScenario({ phase: (name) => say(`▸ ${name}`), client: new DemoClient(harness.url), harness, baseFaults: BASE_FAULTS }, log);
    say('▸ waiting for every accepted order to finish and both queues to empty');
    await settle(harness, log, started);
  } finally {
    clearInterval(ticker);
  }
  const state = await finalState(harness, log);
  const metrics = await harness.snapshot();
  await harness.stop();
  await new Promise<void>((resolve) => logFile.end(resolve));
  const degradation = await runPartialDegradation(seed, say);
  const checks = [...checkInvariants(log, state), degradation.check];
  say(renderReport({ log, state, metrics, checks, elapsedMs: Date.now() - started, logPath }));
  for (const line of degradation.lines) say(line);
  const failed = checks.filter((check) => !check.ok).length;
  say(failed === 0 ? 'All invariants hold.' : `${failed} invariant(s) violated.`);
  return failed === 0 ? 0 : 1;
}

async function settle(harness: Harness, log: ScenarioLog, started: number): Promise<void> {
  while (Date.now() - started < SETTLE_DEADLINE_MS) {
    const state = await finalState(harness, log);
    const finished = [...log.accepted.keys()].every((key) => endingOf(key, state).kind !== 'UNFINISHED');
    if (finished && state.atRest) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function finalState(harness: Harness, log: ScenarioLog): Promise<FinalState> {
  const now = Date.now();
  const records = new Map<string, IdempotencyRecord>();
  for (const key of log.accepted.keys()) {
    const record = await harness.backend.record(key, now);
    if (record !== undefined) records.set(key, record);
  }
  const { orders, deadLetters } = await harness.backend.depths();
  const atRest = await harness.quiet();
  return {
    records,
    commitsOf: (key) => harness.commits.commitsOf(key),
    committedTwice: harness.commits.committedTwice(),
    events: harness.events.all(),
    atRest,
    leftOver: `order queue ${orders.visible} waiting / ${orders.inFlight} in flight / ${orders.delayed} delayed; DLQ ${deadLetters.visible + deadLetters.inFlight + deadLetters.delayed}`,
  };
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
