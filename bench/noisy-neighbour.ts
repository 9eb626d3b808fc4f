/**
 * `npx tsx bench/noisy-neighbour.ts`: one customer posting at 20 × the rate of each of the others, on the
 * harness' memory backend, and the quiet customers' latency (accepted → SUCCEEDED) against the noisy
 * one's. Every order is sent with its customer as MessageGroupId (SQS fair queues), but neither the
 * in-memory broker nor moto models fairness: these figures are the FIFO baseline, so the day the local
 * queue models fair queues the comparison is one run away. In AWS, a fair queue delays the noisy
 * tenant's messages once it holds a large share of the in-flight ones, and the quiet p99 should fall
 * towards the unloaded latency.
 *
 * Options: --seconds S (default 60), --quiet N quiet customers (default 4), --quiet-rate R orders/s each
 * (default 1), --latency-ms L added to each worker DynamoDB call (default 20: a queue that backs up).
 * The last line is JSON.
 */
import 'reflect-metadata';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { DemoClient } from '../harness/demo/demo-client.js';
import { validOrder } from '../harness/demo/payloads.js';
import { startHarness } from '../harness/server/start-harness.js';
import { LOAD_RUN_BACKOFF, loadHarnessOptions } from '../harness/demo/load-run.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string' }, quiet: { type: 'string' }, 'quiet-rate': { type: 'string' }, 'latency-ms': { type: 'string' } },
  strict: true,
});
const SECONDS = Number(values.seconds ?? 60);
const QUIET = Number(values.quiet ?? 4);
const QUIET_RATE = Number(values['quiet-rate'] ?? 1);
const NOISY_RATE = 20 * QUIET_RATE;
const LATENCY_MS = Number(values['latency-ms'] ?? 20);

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function summary(latencies: readonly number[]): { orders: number; p50: number; p90: number; p99: number; max: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    orders: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

async function main(): Promise<number> {
  const loadAtStart = load();
  say(
    `Noisy neighbour: 1 customer at ${NOISY_RATE} orders/s, ${QUIET} at ${QUIET_RATE}/s each, ${SECONDS} s, DynamoDB +${LATENCY_MS} ms per worker call; load average ${loadAtStart}`,
  );
  const harness = await startHarness(
    loadHarnessOptions({
      faultRate: 0,
      orders: 0,
      ratePerSecond: 1,
      seed: 5,
      deadlineMs: 0,
      harness: { faults: {}, latencyMs: { dynamodb: LATENCY_MS }, faultFunctions: ['worker'], maxConcurrency: 2 },
    }),
    { write: () => undefined, env: { ...process.env, ...LOAD_RUN_BACKOFF } },
  );
  const client = new DemoClient(harness.url);
  const customerOf = new Map<string, string>();
  const sends: Promise<void>[] = [];
  const post = (customerId: string, index: number): void => {
    const key = `noisy-${customerId}-${index}`;
    sends.push(
      client
        .post('/orders', JSON.stringify(validOrder(`${customerId}-${index}`, { customerId })), {
          'content-type': 'application/json',
          'idempotency-key': key,
        })
        .then(
          (answer) => {
            if (answer.status === 202) customerOf.set(key, customerId);
          },
          () => undefined,
        ),
    );
  };
  const started = Date.now();
  const tick = 1_000 / NOISY_RATE;
  for (let step = 0; step < SECONDS * NOISY_RATE; step++) {
    const due = started + step * tick;
    if (due > Date.now()) await sleep(due - Date.now());
    post('noisy', step);
    if (step % 20 === 0) for (let quiet = 0; quiet < QUIET; quiet++) post(`quiet-${quiet}`, step / 20);
  }
  await Promise.all(sends);
  const deadline = Date.now() + 600_000;
  while (Date.now() < deadline && !(await harness.quiet())) await sleep(500);
  const records = await harness.backend.records(Date.now());
  const latency = { noisy: [] as number[], quiet: [] as number[] };
  let unsettled = 0;
  for (const record of records) {
    const customerId = customerOf.get(record.key);
    if (customerId === undefined) continue;
    if (record.status !== 'SUCCEEDED') {
      unsettled++;
      continue;
    }
    // Until the record's last write: its completion, or the relay's delivery mark just after it.
    (customerId === 'noisy' ? latency.noisy : latency.quiet).push(record.updatedAt - record.createdAt);
  }
  await harness.stop();
  const result = {
    seconds: SECONDS,
    noisyRate: NOISY_RATE,
    quietCustomers: QUIET,
    quietRate: QUIET_RATE,
    latencyMs: LATENCY_MS,
    quiet: summary(latency.quiet),
    noisy: summary(latency.noisy),
    unsettled,
    loadAverage: { start: loadAtStart, end: load() },
  };
  say(
    `quiet customers: ${result.quiet.orders} orders, p50 ${result.quiet.p50} ms, p90 ${result.quiet.p90} ms, p99 ${result.quiet.p99} ms, max ${result.quiet.max} ms`,
  );
  say(
    `noisy customer:  ${result.noisy.orders} orders, p50 ${result.noisy.p50} ms, p90 ${result.noisy.p90} ms, p99 ${result.noisy.p99} ms, max ${result.noisy.max} ms; unsettled ${unsettled}`,
  );
  say(JSON.stringify(result));
  return unsettled === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
