import type { ServiceName } from '../../application/config/breaker-defaults.js';
import { DemoClient } from './demo-client.js';
import { validOrder } from './payloads.js';
import { DEFAULT_HARNESS_OPTIONS, type HarnessOptions } from '../cli/options.js';
import { startHarness } from '../server/start-harness.js';

/**
 * One bounded load run on the harness' memory backend: `orders` orders posted at `ratePerSecond` through
 * the HTTP API, with `faultRate` of the calls to every port (DynamoDB, SQS, EventBridge) failing in the
 * ingest and the worker, until every accepted order has settled or `deadlineMs` has passed. It reports the
 * throughput (orders settled per second, from the first send to the last settlement) and what matters for
 * correctness: orders lost, business effects committed twice, breaker openings by service.
 *
 * The breakers keep their real settings (no shortened recovery): a breaker that opens on a partial fault
 * stalls the run for its whole recovery period, which is exactly what the measurement is meant to catch.
 */
export interface LoadRunOptions {
  readonly faultRate: number;
  readonly orders: number;
  readonly ratePerSecond: number;
  readonly seed: number;
  readonly deadlineMs: number;
  /** Harness settings on top of the load run's own (tests, the demo). */
  readonly harness?: Partial<HarnessOptions>;
  readonly write?: (line: string) => void;
}

export interface LoadRunResult {
  readonly faultRate: number;
  readonly orders: number;
  /** Orders the API accepted (202, or 200 for an order already known); the rest were refused after the client's retries. */
  readonly accepted: number;
  /** Accepted orders that ended SUCCEEDED. */
  readonly settled: number;
  /** Accepted orders that neither succeeded nor were parked by the deadline: nothing accounts for them. */
  readonly lost: number;
  /**
   * Accepted orders parked (record PARKED) by the deadline, by category. With injected transient faults
   * only, one here is an order whose attempt budget (RETRY_POLICIES) the faults used up.
   */
  readonly parkedByCategory: Readonly<Record<string, number>>;
  readonly committedTwice: number;
  readonly elapsedMs: number;
  /** End to end: orders that succeeded, per second from the first send to the last order that ended (succeeded or parked). */
  readonly ordersPerSecond: number;
  /** While the load lasted: orders settled before the last send, per second of sending. */
  readonly sustainedOrdersPerSecond: number;
  readonly breakerOpenings: Readonly<Record<ServiceName, number>>;
  readonly timedOut: boolean;
}

const SERVICES: readonly ServiceName[] = ['dynamodb', 'sqs', 'eventbridge'];

/**
 * Retry delays are the queue's business, not the breakers': kept to 0–2 s, the same in every run, so the
 * time after the last send measures the breakers and the retries they allow, not a long backoff draw.
 */
export const LOAD_RUN_BACKOFF = { BACKOFF_BASE_SECONDS: '1', BACKOFF_CAP_SECONDS: '2' } as const;

/** Short timeouts so a run's retries finish within seconds (the demo's settings). */
export function loadHarnessOptions(options: LoadRunOptions): HarnessOptions {
  return {
    ...DEFAULT_HARNESS_OPTIONS,
    port: 0,
    seed: options.seed,
    faults: Object.fromEntries(SERVICES.map((service) => [service, options.faultRate])),
    faultFunctions: ['ingest', 'worker'],
    redriveEveryMs: 1_000,
    batchSize: 10,
    batchingWindowMs: 100,
    maxConcurrency: 4,
    functionTimeoutSeconds: 5,
    visibilityTimeoutSeconds: 5,
    maxReceiveCount: 5,
    pollIntervalMs: 20,
    logLevel: 'WARN',
    ...options.harness,
  };
}

export async function runLoad(options: LoadRunOptions): Promise<LoadRunResult> {
  const harness = await startHarness(loadHarnessOptions(options), {
    write: options.write ?? (() => undefined),
    env: { ...process.env, ...LOAD_RUN_BACKOFF },
  });
  const client = new DemoClient(harness.url);
  const started = Date.now();
  const keys: string[] = [];
  const sends: Promise<void>[] = [];
  const runId = `${options.seed}-${Math.round(options.faultRate * 100)}-${started}`;
  try {
    for (let i = 0; i < options.orders; i++) {
      const due = started + (i * 1_000) / options.ratePerSecond;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const key = `load-${runId}-${i}`;
      sends.push(
        client
          .post('/orders', JSON.stringify(validOrder(`o-${runId}-${i}`)), { 'content-type': 'application/json', 'idempotency-key': key })
          .then(
            (answer) => {
              if (answer.status === 202 || answer.status === 200) keys.push(key);
            },
            () => undefined,
          ),
      );
    }
    const sentAt = Date.now();
    const settledAt = new Map<string, number>();
    const watching = watchSettlement(harness, keys, settledAt);
    await Promise.all(sends);
    const loadEnd = Date.now();
    const settledDuringLoad = [...settledAt.values()].filter((at) => at <= loadEnd).length;
    const { lastSettledAt, timedOut } = await watching.until(started + options.deadlineMs);
    const elapsedMs = Math.max(1, lastSettledAt - started);
    const snapshot = await harness.snapshot();
    const parkedByCategory: Record<string, number> = {};
    let succeeded = 0;
    for (const key of keys) {
      const record = await harness.backend.record(key, Date.now());
      if (record?.status === 'SUCCEEDED') succeeded++;
      if (record?.status !== 'PARKED') continue;
      const category = record.lastError?.category ?? 'UNKNOWN';
      parkedByCategory[category] = (parkedByCategory[category] ?? 0) + 1;
    }
    const parked = Object.values(parkedByCategory).reduce((n, count) => n + count, 0);
    return {
      faultRate: options.faultRate,
      orders: options.orders,
      accepted: keys.length,
      settled: succeeded,
      lost: keys.length - succeeded - parked,
      parkedByCategory,
      committedTwice: harness.commits.committedTwice().length,
      elapsedMs,
      ordersPerSecond: (succeeded * 1_000) / elapsedMs,
      sustainedOrdersPerSecond: (settledDuringLoad * 1_000) / Math.max(1, Math.max(sentAt, loadEnd) - started),
      breakerOpenings: snapshot.breakerOpenings,
      timedOut,
    };
  } finally {
    await harness.stop();
  }
}

type RunningHarness = Awaited<ReturnType<typeof startHarness>>;

interface Watch {
  until(deadline: number): Promise<{ settled: number; lastSettledAt: number; timedOut: boolean }>;
}

/** Polls the records of `keys` (which grows while orders are sent) and notes when each ended: SUCCEEDED or PARKED. */
function watchSettlement(harness: RunningHarness, keys: readonly string[], settledAt: Map<string, number>): Watch {
  let deadline = Number.POSITIVE_INFINITY;
  let stopped = false;
  const loop = (async () => {
    let lastSettledAt = Date.now();
    for (;;) {
      for (const key of keys) {
        if (settledAt.has(key)) continue;
        const record = await harness.backend.record(key, Date.now());
        if (record?.status === 'SUCCEEDED' || record?.status === 'PARKED') {
          lastSettledAt = Date.now();
          settledAt.set(key, lastSettledAt);
        }
      }
      if (stopped && settledAt.size === keys.length) return { settled: settledAt.size, lastSettledAt, timedOut: false };
      if (Date.now() >= deadline) return { settled: settledAt.size, lastSettledAt: Date.now(), timedOut: true };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    until(at: number) {
      deadline = at;
      stopped = true;
      return loop;
    },
  };
}
