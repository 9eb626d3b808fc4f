/**
 * `npm run bench:degradation`: does a partial fault stay partial? Bounded load runs on the harness' memory
 * backend (harness/demo/load-run.ts) with the breakers' real settings, interleaved round by round:
 * without faults, with 20 % and with 5 % of the calls to every port failing (in the ingest and the worker).
 * Each round compares its faulty runs with its own fault-free run, so a machine that slows down in the
 * middle skews one round, not the ratio; the report gives the median ratio and its spread over the rounds.
 *
 * Then a total DynamoDB outage under steady load: calls that reached DynamoDB while it lasted (the fault
 * decorator counts them), against the opening rule's failures plus one probe per recovery period in each
 * execution environment that calls DynamoDB (each has its own breaker, as deployed); what reached the
 * DLQ; orders lost.
 *
 * Options: --quick (one short round, a 20 s outage), --rounds N, --seconds S (load per run), --rate R
 * (orders per second), --outage-seconds S (0 skips it), --max-minutes M (no new round after that). The last
 * line is one JSON object. Exits 1 when a target is missed: 20 %: ratio ≥ 0.5, 5 %: ratio ≥ 0.8, nothing
 * lost and nothing committed twice anywhere, outage calls within the bound.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { failuresToOpen, INITIAL_BREAKER_STATE } from '../domain/circuit-breaker/index.js';
import { SERVICE_BREAKER_SETTINGS } from '../application/config/breaker-defaults.js';
import { DemoClient } from '../harness/demo/demo-client.js';
import { startHarness } from '../harness/server/start-harness.js';
import { LOAD_RUN_BACKOFF, loadHarnessOptions, runLoad, type LoadRunResult } from '../harness/demo/load-run.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    rate: { type: 'string' },
    'outage-seconds': { type: 'string' },
    'max-minutes': { type: 'string' },
  },
  strict: true,
});
const quick = values.quick === true;
const ROUNDS = Number(values.rounds ?? (quick ? 1 : 3));
const SECONDS = Number(values.seconds ?? (quick ? 15 : 60));
const RATE = Number(values.rate ?? 40);
const OUTAGE_SECONDS = Number(values['outage-seconds'] ?? (quick ? 20 : 60));
const MAX_MS = Number(values['max-minutes'] ?? (quick ? 4 : 15)) * 60_000;
const FAULT_RATES = [0, 0.2, 0.05] as const;
const TARGETS: Readonly<Record<number, number>> = { 0.2: 0.5, 0.05: 0.8 };

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const fixed = (x: number, digits = 2): string => x.toFixed(digits);

async function ratioRounds(started: number): Promise<{ rounds: Record<string, number>[]; runs: LoadRunResult[] }> {
  const rounds: Record<string, number>[] = [];
  const runs: LoadRunResult[] = [];
  for (let round = 0; round < ROUNDS && Date.now() - started < MAX_MS; round++) {
    // Rotate the order inside a round, so no fault rate always runs first on a cold process.
    const order = FAULT_RATES.map((_, i) => FAULT_RATES[(i + round) % FAULT_RATES.length]!);
    const byRate = new Map<number, LoadRunResult>();
    for (const faultRate of order) {
      const result = await runLoad({
        faultRate,
        orders: Math.round(SECONDS * RATE),
        ratePerSecond: RATE,
        seed: 1_000 + round,
        deadlineMs: SECONDS * 1_000 + 120_000,
      });
      byRate.set(faultRate, result);
      runs.push(result);
      say(
        `  round ${round + 1} faults ${fixed(faultRate * 100, 0)}%: ${result.settled}/${result.accepted} settled in ${fixed(result.elapsedMs / 1_000, 1)} s = ${fixed(result.ordersPerSecond, 1)} orders/s end to end, ${fixed(result.sustainedOrdersPerSecond, 1)}/s while loaded; lost ${result.lost}, parked ${JSON.stringify(result.parkedByCategory)}, committed twice ${result.committedTwice}, breaker openings ${JSON.stringify(result.breakerOpenings)}`,
      );
    }
    const base = byRate.get(0)!;
    const ratios: Record<string, number> = {};
    for (const rate of [0.2, 0.05]) {
      const faulty = byRate.get(rate)!;
      ratios[`endToEnd${rate * 100}`] = faulty.ordersPerSecond / base.ordersPerSecond;
      ratios[`sustained${rate * 100}`] = faulty.sustainedOrdersPerSecond / base.sustainedOrdersPerSecond;
    }
    rounds.push(ratios);
  }
  return { rounds, runs };
}

interface OutageResult {
  readonly seconds: number;
  readonly callsDuringOutage: number;
  readonly bound: number;
  readonly openingFailures: number;
  readonly probes: number;
  /** Execution environments that call DynamoDB (the ingest's and the worker's): each has its own breaker. */
  readonly environments: number;
  readonly accepted: number;
  readonly lost: number;
  readonly committedTwice: number;
  readonly reachedDeadLetterQueue: number;
  readonly parked: number;
  readonly settledAfterRecoveryMs: number;
}

/** Steady load for the whole outage and 10 s either side; DynamoDB fails every call in between. */
async function outage(seconds: number): Promise<OutageResult> {
  const settings = SERVICE_BREAKER_SETTINGS.dynamodb;
  const harness = await startHarness(loadHarnessOptions({ faultRate: 0, orders: 0, ratePerSecond: 1, seed: 99, deadlineMs: 0 }), {
    write: () => undefined,
    env: { ...process.env, ...LOAD_RUN_BACKOFF },
  });
  const client = new DemoClient(harness.url);
  const keys: string[] = [];
  const rate = 20;
  const total = (seconds + 20) * rate;
  const started = Date.now();
  let before = 0;
  let during = 0;
  let recoveredAt = 0;
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1_000) / rate;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    if (i === 10 * rate) {
      before = harness.faults.counts().injected.dynamodb;
      harness.faults.update({ failureRate: { dynamodb: 1 } });
    }
    if (i === (10 + seconds) * rate) {
      during = harness.faults.counts().injected.dynamodb - before;
      harness.faults.update({ failureRate: {} });
      recoveredAt = Date.now();
    }
    const key = `outage-${started}-${i}`;
    sends.push(
      client.postOrder(`o-${i}`, key).then((accepted) => {
        if (accepted) keys.push(key);
      }),
    );
  }
  await Promise.all(sends);
  let settled = 0;
  const deadline = Date.now() + 4 * settings.recoveryTimeoutMs + 60_000;
  while (Date.now() < deadline) {
    settled = 0;
    for (const key of keys) if ((await harness.backend.record(key, Date.now()))?.status === 'SUCCEEDED') settled++;
    if (settled === keys.length && (await harness.quiet())) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const settledAfterRecoveryMs = Date.now() - recoveredAt;
  const snapshot = await harness.snapshot();
  // Each execution environment has its own breaker, as deployed: the bound is per environment.
  const environments = harness.functions
    .all()
    .filter((fleet) => fleet.services.includes('dynamodb'))
    .reduce((sum, fleet) => sum + fleet.stats().started, 0);
  await harness.stop();
  // In each environment, the rule in force when the outage began decides how many failures open its
  // breaker: at this load the window is at volume, so the run rule's (a run of consecutiveFailures).
  const openingFailures = Math.max(
    failuresToOpen(INITIAL_BREAKER_STATE, settings, 0),
    settings.volume!.consecutiveFailures ?? Math.ceil(settings.volume!.failureRatio * settings.volume!.windowCalls),
  );
  const probes = Math.ceil((seconds * 1_000) / settings.recoveryTimeoutMs);
  return {
    seconds,
    callsDuringOutage: during,
    bound: (openingFailures + probes) * environments,
    openingFailures,
    probes,
    environments,
    accepted: keys.length,
    lost: keys.length - settled,
    committedTwice: harness.commits.committedTwice().length,
    reachedDeadLetterQueue: snapshot.counters.messagesRedriven + snapshot.counters.messagesParked,
    parked: snapshot.counters.messagesParked,
    settledAfterRecoveryMs,
  };
}

async function main(): Promise<number> {
  const started = Date.now();
  say(
    `Degradation bench: ${ROUNDS} round(s) of ${SECONDS} s at ${RATE} orders/s per fault rate (0 %, 20 %, 5 % on DynamoDB, SQS and EventBridge), then a ${OUTAGE_SECONDS} s DynamoDB outage`,
  );
  const { rounds, runs } = await ratioRounds(started);
  const summary: Record<string, unknown> = { rounds: rounds.length, secondsPerRun: SECONDS, ratePerSecond: RATE };
  let ok = rounds.length > 0;
  for (const rate of [20, 5]) {
    for (const kind of ['endToEnd', 'sustained'] as const) {
      const xs = rounds.map((r) => r[`${kind}${rate}`]!);
      summary[`${kind}Ratio${rate}`] = {
        median: Number(fixed(median(xs), 3)),
        min: Number(fixed(Math.min(...xs), 3)),
        max: Number(fixed(Math.max(...xs), 3)),
      };
      say(
        `${kind === 'endToEnd' ? 'end-to-end' : 'sustained '} throughput at ${rate} % faults: median ${fixed(median(xs))} x the fault-free run (spread ${fixed(Math.min(...xs))}–${fixed(Math.max(...xs))})${kind === 'endToEnd' ? `, target ≥ ${TARGETS[rate / 100]}` : ''}`,
      );
    }
    if (!(median(rounds.map((r) => r[`endToEnd${rate}`]!)) >= TARGETS[rate / 100]!)) ok = false;
  }
  const lost = runs.reduce((n, r) => n + r.lost, 0);
  const twice = runs.reduce((n, r) => n + r.committedTwice, 0);
  const parked = runs.reduce((n, r) => n + Object.values(r.parkedByCategory).reduce((m, c) => m + c, 0), 0);
  summary['lost'] = lost;
  summary['parked'] = parked;
  summary['committedTwice'] = twice;
  say(
    `lost ${lost}, parked ${parked} (transient faults that used up an order's attempt budget), committed twice ${twice} over ${runs.length} runs`,
  );
  if (lost > 0 || twice > 0) ok = false;
  if (OUTAGE_SECONDS > 0) {
    const result = await outage(OUTAGE_SECONDS);
    summary['outage'] = result;
    say(
      `${result.seconds} s DynamoDB outage at 20 orders/s: ${result.callsDuringOutage} calls reached DynamoDB (bound: ${result.environments} environments × (${result.openingFailures} to open + ${result.probes} probes) = ${result.bound}); reached the DLQ ${result.reachedDeadLetterQueue}, parked ${result.parked}, lost ${result.lost}, committed twice ${result.committedTwice}; all settled ${fixed(result.settledAfterRecoveryMs / 1_000, 1)} s after recovery`,
    );
    if (result.callsDuringOutage > result.bound || result.lost > 0 || result.committedTwice > 0 || result.parked > 0) ok = false;
  }
  summary['ok'] = ok;
  summary['elapsedSeconds'] = Math.round((Date.now() - started) / 1_000);
  say(JSON.stringify(summary));
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
