/**
 * `npx tsx bench/backoff-latency.ts`: per-order latency under partial faults, the measure a tail of
 * stragglers shows and a throughput ratio hides (issue 16, point 2). The harness runs with its default
 * settings (memory backend, 30 s worker, the visibility timeout derived from it, the default backoff
 * policy and the breakers' real settings), with `--faults` of the calls to every port failing in every
 * function. Orders are posted at `--rate` per second; each client retries a 5xx or a 409 with the same
 * Idempotency-Key every 0.5 s (at most 60 s), as a simple client does. An order's latency runs from its
 * first POST to its record's SUCCEEDED (or PARKED); also reported from the POST that was accepted, which
 * leaves out the edge's part.
 *
 * Options: --orders N (200), --rate R (20), --faults F (0.2), --seed S (1), --deadline-minutes M (15),
 * --log FILE (the harness' WARN and ERROR lines, and each slow order's key and latency, for a look at the tail),
 * --topology composed|orchestrated (composed).
 * Prints progress, then one JSON line.
 */
import 'reflect-metadata';
import { appendFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { validOrder } from '../harness/demo/payloads.js';
import { DEFAULT_HARNESS_OPTIONS } from '../harness/cli/options.js';
import { startHarness } from '../harness/server/start-harness.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string' },
    rate: { type: 'string' },
    faults: { type: 'string' },
    seed: { type: 'string' },
    'deadline-minutes': { type: 'string' },
    log: { type: 'string' },
    topology: { type: 'string' },
  },
  strict: true,
});
const ORDERS = Number(values.orders ?? 200);
const RATE = Number(values.rate ?? 20);
const FAULTS = Number(values.faults ?? 0.2);
const SEED = Number(values.seed ?? 1);
const DEADLINE_MS = Number(values['deadline-minutes'] ?? 15) * 60_000;
const LOG = values.log;
const TOPOLOGY = values.topology === 'orchestrated' ? 'orchestrated' : 'composed';
if (LOG !== undefined) writeFileSync(LOG, '');
const CLIENT_RETRY_MS = 500;
const CLIENT_GIVE_UP_MS = 60_000;

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

function distribution(latencies: readonly number[]): Record<string, number> {
  const sorted = [...latencies].sort((a, b) => a - b);
  const s = (ms: number): number => Math.round(ms / 10) / 100;
  return {
    p50: s(percentile(sorted, 50)),
    p95: s(percentile(sorted, 95)),
    p99: s(percentile(sorted, 99)),
    max: s(sorted.at(-1) ?? Number.NaN),
  };
}

interface Posted {
  readonly key: string;
  readonly firstPostAt: number;
  acceptedAt?: number;
  settledAt?: number;
  status?: string;
  gaveUp?: boolean;
  answers: number[];
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const harness = await startHarness(
    {
      ...DEFAULT_HARNESS_OPTIONS,
      port: 0,
      seed: SEED,
      topology: TOPOLOGY,
      faults: { dynamodb: FAULTS, sqs: FAULTS, eventbridge: FAULTS },
      logLevel: 'INFO',
      historyEveryMs: 0,
    },
    {
      env: { ...process.env },
      write: (line) => {
        if (line.includes('backoff visibility') || line.includes('"level":"ERROR"')) lines.push(line);
        if (LOG !== undefined && (line.includes('"level":"WARN"') || line.includes('"level":"ERROR"'))) appendFileSync(LOG, `${line}\n`);
      },
    },
  );
  const started = Date.now();
  const posted: Posted[] = [];
  const posting: Promise<void>[] = [];
  const post = async (order: Posted, body: string): Promise<void> => {
    while (Date.now() - order.firstPostAt < CLIENT_GIVE_UP_MS) {
      let status: number;
      try {
        const response = await fetch(`${harness.url}/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': order.key },
          body,
        });
        status = response.status;
        await response.text();
      } catch {
        status = -1;
      }
      order.answers.push(status);
      if (status === 202 || status === 200) {
        order.acceptedAt = Date.now();
        return;
      }
      if (status !== 409 && status !== -1 && status < 500) break;
      await new Promise((resolve) => setTimeout(resolve, CLIENT_RETRY_MS));
    }
    order.gaveUp = true;
  };
  // Watches from the start, so that an order's settlement is seen when it happens, not after the posting.
  const watching = (async () => {
    for (let lastReport = Date.now(); Date.now() - started < DEADLINE_MS;) {
      for (const order of posted) {
        if (order.settledAt !== undefined) continue;
        const record = await harness.backend.record(order.key, Date.now());
        if (record?.status === 'SUCCEEDED' || record?.status === 'PARKED') {
          order.settledAt = Date.now();
          order.status = record.status;
        }
      }
      const clientsDone = posted.length === ORDERS && posted.every((order) => order.acceptedAt !== undefined || order.gaveUp === true);
      const open = posted.filter((order) => order.acceptedAt !== undefined && order.settledAt === undefined).length;
      if (clientsDone && open === 0) return;
      if (Date.now() - lastReport > 10_000) {
        say(`  ${((Date.now() - started) / 1_000).toFixed(0)} s: ${open} accepted orders not settled yet`);
        lastReport = Date.now();
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  for (let i = 0; i < ORDERS; i++) {
    const due = started + (i * 1_000) / RATE;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const order: Posted = { key: `lat-${SEED}-${started}-${i}`, firstPostAt: Date.now(), answers: [] };
    posted.push(order);
    posting.push(post(order, JSON.stringify(validOrder(`lat-${i}`))));
  }
  const postingEndedAt = Date.now();
  say(`posted ${ORDERS} orders in ${((postingEndedAt - started) / 1_000).toFixed(1)} s`);
  await Promise.all(posting);
  await watching;
  const snapshot = await harness.snapshot();
  await harness.stop();

  const accepted = posted.filter((order) => order.acceptedAt !== undefined);
  const settled = accepted.filter((order) => order.settledAt !== undefined);
  const succeeded = settled.filter((order) => order.status === 'SUCCEEDED');
  const answers: Record<string, number> = {};
  for (const order of posted) for (const status of order.answers) answers[String(status)] = (answers[String(status)] ?? 0) + 1;
  const fallbackTotals = { kept: 0, requeued: 0, queueDefault: 0 };
  for (const line of lines.filter((l) => l.includes('backoff visibility not set'))) {
    const parsed = JSON.parse(line) as Partial<typeof fallbackTotals>;
    fallbackTotals.kept += parsed.kept ?? 0;
    fallbackTotals.requeued += parsed.requeued ?? 0;
    fallbackTotals.queueDefault += parsed.queueDefault ?? 0;
  }
  const result = {
    topology: TOPOLOGY,
    orders: ORDERS,
    rate: RATE,
    faults: FAULTS,
    seed: SEED,
    accepted: accepted.length,
    refusedByTheEdge: ORDERS - accepted.length,
    succeeded: succeeded.length,
    parked: settled.length - succeeded.length,
    unsettled: accepted.length - settled.length,
    fromFirstPostSeconds: distribution(succeeded.map((order) => (order.settledAt ?? 0) - order.firstPostAt)),
    fromAcceptedPostSeconds: distribution(succeeded.map((order) => (order.settledAt ?? 0) - (order.acceptedAt ?? 0))),
    lastSettledAfterSeconds: Math.round((Math.max(...settled.map((order) => order.settledAt ?? 0)) - started) / 100) / 10,
    postAnswers: answers,
    visibilityChangesNotSet: lines.filter((l) => l.includes('could not set backoff visibility')).length,
    backoffFallbacks: fallbackTotals,
    breakerOpenings: snapshot.breakerOpenings,
  };
  if (LOG !== undefined) {
    for (const order of succeeded.filter((o) => (o.settledAt ?? 0) - o.firstPostAt > 10_000)) {
      appendFileSync(
        LOG,
        `${JSON.stringify({ slow: order.key, seconds: ((order.settledAt ?? 0) - order.firstPostAt) / 1_000, fromAccepted: ((order.settledAt ?? 0) - (order.acceptedAt ?? 0)) / 1_000, answers: order.answers })}\n`,
      );
    }
  }
  say(JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
    process.exit(1);
  },
);
