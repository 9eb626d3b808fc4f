/**
 * `npx tsx bench/fleet-outage.ts`: a long DynamoDB outage under steady load, on the harness' memory
 * backend with 8 worker execution environments (`maxConcurrency` 8), each with its own breakers, and the
 * breakers' real settings (DynamoDB: 30 s recovery). DynamoDB fails every call of the worker (and of the
 * fleet pause's probe) for the outage; the edge keeps accepting, so orders pile up in the queue.
 *
 * Two runs, interleaved A B (A B …with --rounds): with the fleet pause (`--fleet-pause`) and without it.
 * Each reports: calls that reached DynamoDB during the outage (all environments, the workers' by the
 * execution environment that made them, and the probes among them), worker invocations during the outage, how long until the fleet paused, messages that reached
 * the DLQ (redriven or parked), the time from recovery until every accepted order SUCCEEDED (or how many had
 * not, 15 minutes after recovery),
 * double commits, the worker environments started, and the load average. The last line is JSON; the
 * exit code is 1 when an order was committed twice or, with the pause, an order did not settle or the
 * pause's bound did not hold (see withinFleetBound).
 *
 * Options: --outage-seconds S (default 600), --rate R orders/s (default 20), --latency-ms L added to each
 * worker DynamoDB call outside the outage (default 50, so batches overlap and the fleet grows to 8),
 * --rounds N (default 1), --quick (a 60 s outage, for CI or a look), --only pause|no-pause (one variant).
 */
import 'reflect-metadata';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { SERVICE_BREAKER_SETTINGS } from '../application/config/breaker-defaults.js';
import { latencySummary, type LatencySummary } from '../chaos/verdict.js';
import { DemoClient } from '../harness/demo/demo-client.js';
import { FLEET_PAUSE_FUNCTION } from '../harness/pipeline/fleet-flow-control.js';
import { startHarness } from '../harness/server/start-harness.js';
import { LOAD_RUN_BACKOFF, loadHarnessOptions } from '../harness/demo/load-run.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    'outage-seconds': { type: 'string' },
    rate: { type: 'string' },
    'latency-ms': { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
  },
  strict: true,
});
const quick = values.quick === true;
const OUTAGE_SECONDS = Number(values['outage-seconds'] ?? (quick ? 60 : 600));
const RATE = Number(values.rate ?? 20);
const LATENCY_MS = Number(values['latency-ms'] ?? 50);
const ROUNDS = Number(values.rounds ?? 1);
const ONLY = values.only;
if (ONLY !== undefined && ONLY !== 'pause' && ONLY !== 'no-pause') throw new Error('--only must be pause or no-pause');
const ENVIRONMENTS = 8;
const LEAD_SECONDS = 10;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface OutageRun {
  readonly fleetPause: boolean;
  readonly outageSeconds: number;
  readonly accepted: number;
  readonly dynamodbCallsDuringOutage: number;
  /** The workers' share of them, by execution environment (those that called at all). */
  readonly callsByEnvironment: Readonly<Record<string, number>>;
  readonly probesDuringOutage: number;
  readonly workerInvocationsDuringOutage: number;
  readonly pausedAfterMs: number | undefined;
  readonly reachedDeadLetterQueue: number;
  readonly parked: number;
  readonly settledAfterRecoveryMs: number;
  /** With the pause: when the fleet resumed (its first probe that answered), after DynamoDB was back. */
  readonly resumedAfterRecoveryMs: number | undefined;
  /** Settled orders, each from its reservation to its committed completion; one settling after the outage waited it out. */
  readonly orderLatency: LatencySummary;
  /** Accepted orders not SUCCEEDED when the bench stopped looking (15 min after recovery): still queued, in the DLQ, or lost. */
  readonly unsettled: number;
  readonly committedTwice: number;
  readonly workerEnvironments: number;
  readonly loadAverage: { readonly start: string; readonly end: string };
}

async function run(fleetPause: boolean, seed: number): Promise<OutageRun> {
  const loadAtStart = load();
  const harness = await startHarness(
    loadHarnessOptions({
      faultRate: 0,
      orders: 0,
      ratePerSecond: 1,
      seed,
      deadlineMs: 0,
      harness: {
        fleetPause,
        maxConcurrency: ENVIRONMENTS,
        faults: {},
        latencyMs: { dynamodb: LATENCY_MS },
        faultFunctions: ['worker', FLEET_PAUSE_FUNCTION],
        // The real settings: 30 s recovery, and a visibility timeout from the 30 s function timeout (180 s).
        functionTimeoutSeconds: 30,
        visibilityTimeoutSeconds: undefined,
        redriveEveryMs: 30_000,
      },
    }),
    { write: () => undefined, env: { ...process.env, ...LOAD_RUN_BACKOFF } },
  );
  const client = new DemoClient(harness.url);
  const keys: string[] = [];
  const total = (OUTAGE_SECONDS + 2 * LEAD_SECONDS) * RATE;
  const started = Date.now();
  let outageStartedAt = 0;
  let recoveredAt = 0;
  let pausedAt: number | undefined;
  let resumedAt: number | undefined;
  const noteResume = (): void => {
    if (recoveredAt > 0 && resumedAt === undefined && pausedAt !== undefined && harness.fleetFlow?.isPaused() === false)
      resumedAt = Date.now();
  };
  const base = { calls: 0, probes: 0, invocations: 0 };
  const during = { calls: 0, probes: 0, invocations: 0 };
  let callersAtOnset: ReadonlyMap<string, number> = new Map();
  let callsByEnvironment: Record<string, number> = {};
  const probes = (): number => harness.fleetFlow?.view().probes ?? 0;
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1_000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    if (i === LEAD_SECONDS * RATE) {
      Object.assign(base, {
        calls: harness.faults.counts().injected.dynamodb,
        probes: probes(),
        invocations: harness.eventSource.stats().invocations,
      });
      callersAtOnset = harness.faults.injectedBy('dynamodb');
      harness.faults.update({ failureRate: { dynamodb: 1 }, latencyMs: {} });
      outageStartedAt = Date.now();
    }
    if (i === (LEAD_SECONDS + OUTAGE_SECONDS) * RATE) {
      Object.assign(during, {
        calls: harness.faults.counts().injected.dynamodb - base.calls,
        probes: probes() - base.probes,
        invocations: harness.eventSource.stats().invocations - base.invocations,
      });
      const calls = harness.faults.injectedBy('dynamodb', callersAtOnset);
      callsByEnvironment = Object.fromEntries([...calls].filter(([caller]) => caller.startsWith('worker#')));
      harness.faults.update({ failureRate: {}, latencyMs: { dynamodb: LATENCY_MS } });
      recoveredAt = Date.now();
    }
    if (outageStartedAt > 0 && recoveredAt === 0 && pausedAt === undefined && harness.fleetFlow?.isPaused() === true) pausedAt = Date.now();
    noteResume();
    const key = `fleet-outage-${seed}-${i}`;
    sends.push(
      client.postOrder(`o-${i}`, key).then((accepted) => {
        if (accepted) keys.push(key);
      }),
    );
  }
  await Promise.all(sends);
  let settled = 0;
  const deadline = Date.now() + 10 * SERVICE_BREAKER_SETTINGS.dynamodb.recoveryTimeoutMs + 600_000;
  const pending = new Set(keys);
  // Per order: from its reservation at the edge to its committed completion (the record's createdAt → updatedAt).
  const latencies: number[] = [];
  while (Date.now() < deadline) {
    noteResume();
    for (const key of [...pending]) {
      const record = await harness.backend.record(key, Date.now());
      if (record?.status !== 'SUCCEEDED') continue;
      pending.delete(key);
      latencies.push(record.updatedAt - record.createdAt);
    }
    settled = keys.length - pending.size;
    if (pending.size === 0 && (await harness.quiet())) break;
    await sleep(1_000);
  }
  const settledAfterRecoveryMs = Date.now() - recoveredAt;
  const snapshot = await harness.snapshot();
  const workerEnvironments = harness.functions.worker.stats().started;
  await harness.stop();
  return {
    fleetPause,
    outageSeconds: OUTAGE_SECONDS,
    accepted: keys.length,
    dynamodbCallsDuringOutage: during.calls,
    callsByEnvironment,
    probesDuringOutage: during.probes,
    workerInvocationsDuringOutage: during.invocations,
    pausedAfterMs: pausedAt === undefined ? undefined : pausedAt - outageStartedAt,
    reachedDeadLetterQueue: snapshot.counters.messagesRedriven + snapshot.counters.messagesParked,
    parked: snapshot.counters.messagesParked,
    settledAfterRecoveryMs,
    resumedAfterRecoveryMs: resumedAt === undefined ? undefined : resumedAt - recoveredAt,
    orderLatency: latencySummary(latencies),
    unsettled: keys.length - settled,
    committedTwice: harness.commits.committedTwice().length,
    workerEnvironments,
    loadAverage: { start: loadAtStart, end: load() },
  };
}

const { failureThreshold, recoveryTimeoutMs, volume } = SERVICE_BREAKER_SETTINGS.dynamodb;
/** What one environment pays to open its breaker when the outage finds its window clean (6). */
const CLEAN_OPENING = volume?.cleanRunFailures ?? failureThreshold;

/**
 * The pause's bound: each worker environment that called during the outage paid at most its clean
 * opening (the bench injects no fault before the outage), and the fleet one probe per recovery period.
 * The issue's figure, 2 × the threshold + the probes, is this bound when one environment was calling.
 */
function withinFleetBound(result: OutageRun): boolean {
  const perEnvironment = Object.values(result.callsByEnvironment);
  return (
    perEnvironment.every((calls) => calls <= CLEAN_OPENING) &&
    result.probesDuringOutage <= Math.ceil((result.outageSeconds * 1_000) / recoveryTimeoutMs) &&
    result.dynamodbCallsDuringOutage === result.probesDuringOutage + perEnvironment.reduce((sum, calls) => sum + calls, 0)
  );
}

function resumed(result: OutageRun): string {
  return result.resumedAfterRecoveryMs === undefined ? '' : ` (resumed ${(result.resumedAfterRecoveryMs / 1_000).toFixed(1)} s after it)`;
}

function describe(result: OutageRun): string {
  return (
    `${result.fleetPause ? 'with the fleet pause   ' : 'without the fleet pause'}: ${result.dynamodbCallsDuringOutage} DynamoDB calls during the ${result.outageSeconds} s outage ` +
    `(${result.probesDuringOutage} of them probes; the workers' by environment ${JSON.stringify(result.callsByEnvironment)}), ${result.workerInvocationsDuringOutage} worker invocations, paused after ${result.pausedAfterMs === undefined ? '—' : `${(result.pausedAfterMs / 1_000).toFixed(1)} s`}; ` +
    `reached the DLQ ${result.reachedDeadLetterQueue} (parked ${result.parked}); ` +
    (result.unsettled === 0
      ? `all ${result.accepted} settled ${(result.settledAfterRecoveryMs / 1_000).toFixed(1)} s after recovery${resumed(result)}; `
      : `${result.unsettled} of ${result.accepted} not settled ${(result.settledAfterRecoveryMs / 1_000).toFixed(1)} s after recovery (the bench stopped looking); `) +
    `per order p50/p95/p99/max ${[result.orderLatency.p50Ms, result.orderLatency.p95Ms, result.orderLatency.p99Ms, result.orderLatency.maxMs].map((ms) => (ms / 1_000).toFixed(1)).join(' / ')} s; ` +
    `committed twice ${result.committedTwice}; ${result.workerEnvironments} worker environments; load average ${result.loadAverage.start} → ${result.loadAverage.end}`
  );
}

async function main(): Promise<number> {
  say(
    `Fleet outage bench: ${OUTAGE_SECONDS} s DynamoDB outage for the worker, ${RATE} orders/s, ${ENVIRONMENTS} worker environments, ${ROUNDS} round(s) A (pause) B (no pause); load average ${load()}`,
  );
  const results: OutageRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [true, false] : [false, true];
    for (const fleetPause of order.filter((pause) => ONLY === undefined || pause === (ONLY === 'pause'))) {
      const result = await run(fleetPause, 100 + round);
      results.push(result);
      say(describe(result));
    }
  }
  // The pause must settle everything and keep to its bound; without it, what is still unsettled at the deadline is the comparison.
  const ok = results.every(
    (result) => result.committedTwice === 0 && (!result.fleetPause || (result.unsettled === 0 && withinFleetBound(result))),
  );
  say(JSON.stringify({ outageSeconds: OUTAGE_SECONDS, rate: RATE, environments: ENVIRONMENTS, results, ok }));
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
