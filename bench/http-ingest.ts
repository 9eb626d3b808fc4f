import autocannon from 'autocannon';
import { DEFAULT_HARNESS_OPTIONS, type Topology } from '../harness/cli/options.js';
import { startHarness } from '../harness/server/start-harness.js';
import { ratio, round, summarize, type Summary } from './stats.js';

export interface IngestRun {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  /** From the last response to every queue empty and no batch in flight. */
  readonly drainMs: number;
  /** Orders / (load + drain): end to end, accepted to processed. */
  readonly ordersPerSecond: number;
}

export interface IngestFigures {
  readonly requestsPerSecond: Summary;
  readonly p50Ms: Summary;
  readonly p99Ms: Summary;
  readonly drainMs: Summary;
  readonly ordersPerSecond: Summary;
  readonly errors: number;
  readonly non2xx: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
}

/** POST /orders on the harness (memory backend, 127.0.0.1) with autocannon: `orders` distinct orders, bounded in count and time. */
export async function ingestRun(topology: Topology, orders: number, prefix: string): Promise<IngestRun> {
  const harness = await startHarness(
    { ...DEFAULT_HARNESS_OPTIONS, port: 0, topology, redriveEveryMs: 0, logLevel: 'ERROR', pollIntervalMs: 10 },
    { write: () => undefined },
  );
  try {
    const rssBefore = process.memoryUsage().rss;
    let next = 0;
    const started = Date.now();
    const result = await autocannon({
      url: `${harness.url}/orders`,
      connections: 10,
      amount: orders,
      duration: 60,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => {
            const index = next++;
            const body = {
              orderId: `${prefix}-${index}`,
              customerId: 'customer-0001',
              currency: 'EUR',
              lines: [{ sku: 'SKU-0001', quantity: 1 + (index % 3), unitPriceMinor: 1_999 }],
            };
            return { ...request, body: JSON.stringify(body) };
          },
        },
      ],
    });
    const loaded = Date.now();
    while (!(await harness.quiet()) && Date.now() - loaded < 60_000) await new Promise((resolve) => setTimeout(resolve, 10));
    const drained = Date.now();
    return {
      // autocannon's own average is per whole second: a run shorter than a second would read as its count.
      requestsPerSecond: round(result.requests.total / ((loaded - started) / 1000), 1),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.errors + result.timeouts,
      non2xx: result.non2xx,
      rssBeforeMiB: round(rssBefore / 2 ** 20, 1),
      rssAfterMiB: round(process.memoryUsage().rss / 2 ** 20, 1),
      drainMs: drained - loaded,
      ordersPerSecond: round(orders / ((drained - started) / 1000), 1),
    };
  } finally {
    await harness.stop();
  }
}

/** The composed and the orchestrated topology on the same orders, interleaved. */
export async function measureTopologies(
  orders: number,
  rounds: number,
): Promise<{ composed: IngestFigures; orchestrated: IngestFigures; composedVsOrchestrated: Record<string, number> }> {
  const runs: Record<'composed' | 'orchestrated', IngestRun[]> = { composed: [], orchestrated: [] };
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? (['composed', 'orchestrated'] as const) : (['orchestrated', 'composed'] as const);
    for (const topology of order) runs[topology].push(await ingestRun(topology, orders, `r${round}`));
  }
  const figures = (list: IngestRun[]): IngestFigures => ({
    requestsPerSecond: summarize(list.map((run) => run.requestsPerSecond)),
    p50Ms: summarize(list.map((run) => run.p50Ms)),
    p99Ms: summarize(list.map((run) => run.p99Ms)),
    drainMs: summarize(list.map((run) => run.drainMs)),
    ordersPerSecond: summarize(list.map((run) => run.ordersPerSecond)),
    errors: list.reduce((sum, run) => sum + run.errors, 0),
    non2xx: list.reduce((sum, run) => sum + run.non2xx, 0),
    rssBeforeMiB: list[0]!.rssBeforeMiB,
    rssAfterMiB: list.at(-1)!.rssAfterMiB,
  });
  const composed = figures(runs.composed);
  const orchestrated = figures(runs.orchestrated);
  return {
    composed,
    orchestrated,
    composedVsOrchestrated: {
      requestsPerSecond: ratio(composed.requestsPerSecond.median, orchestrated.requestsPerSecond.median),
      ordersPerSecond: ratio(composed.ordersPerSecond.median, orchestrated.ordersPerSecond.median),
    },
  };
}
