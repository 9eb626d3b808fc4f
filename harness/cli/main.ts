import 'reflect-metadata';
import { allQueuesEmpty, type QueueDepth } from '../backends/backend.js';
import { parseHarnessArgs, USAGE } from './cli.js';
import { formatDuration } from './durations.js';
import { startHarness } from '../server/start-harness.js';
import type { StopSummary } from '../server/types.js';
import { loadBootstrapped, saveBootstrapped } from './bootstrap-env.js';

/**
 * npm forwards SIGINT and SIGTERM to its child, and a terminal's Ctrl-C reaches the whole group: one
 * keypress arrives here twice, moments apart. A repeat within this time is the same request.
 */
const SAME_SIGNAL_WITHIN_MS = 1_000;

/**
 * `npm start`: the harness until Ctrl-C. Exit 0 after a clean stop, 2 for bad options, 1 when it cannot start.
 * The script is `exec node --import tsx …`, so that npm's child is this process: a `sh -c` in between
 * kept SIGINT from it, and tsx's own wrapper process kills its child when the child does not confirm a
 * relayed signal within 30 ms, which a busy machine misses.
 */
async function main(): Promise<void> {
  const parsed = parseHarnessArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (parsed.kind === 'invalid') {
    process.stderr.write(`${parsed.problems.map((problem) => `error: ${problem}`).join('\n')}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.options.backend === 'aws' && !parsed.options.bootstrap) loadBootstrapped(process.env);
  const harness = await startHarness(parsed.options, { colour: parsed.options.pretty && process.stdout.isTTY });
  if (harness.backend.bootstrapped !== undefined) saveBootstrapped(harness.backend.bootstrapped);
  if (parsed.options.pretty) {
    const both =
      harness.options.topology === 'both'
        ? `  Both topologies: POST /orders is the composed ingest, POST /orchestrated/orders the ingest workflow;\n  ${harness.config.orchestratedSharePercent} % of orders, by idempotency key, go to the orchestrated queue.\n`
        : '';
    process.stdout.write(
      `\n  Status page: ${harness.url}/\n${both}  Try:  curl -s -X POST ${harness.url}/orders -H 'content-type: application/json' \\\n          -d '{"orderId":"o-1","customerId":"c-1","currency":"EUR","lines":[{"sku":"SKU-1","quantity":2,"unitPriceMinor":1999}]}'\n  Stop: Ctrl-C\n\n`,
    );
  }
  let stoppingSince: number | undefined;
  const stop = (signal: string): void => {
    if (stoppingSince !== undefined && Date.now() - stoppingSince < SAME_SIGNAL_WITHIN_MS) return;
    if (stoppingSince !== undefined) {
      process.stderr.write(
        `${signal} again: exiting without waiting; ${harness.backend.kind === 'memory' ? 'whatever is still on the in-memory queues is lost' : 'unfinished messages come back in SQS after their visibility timeout'}\n`,
      );
      process.exit(130);
    }
    stoppingSince = Date.now();
    const queues = harness.orchestratedEventSource === undefined ? 'the order queue drains' : 'the order and orchestrated queues drain';
    process.stderr.write(
      `${signal}: stopping; ${queues} for up to ${formatDuration(harness.options.drainTimeoutMs)} (${signal} again exits at once)\n`,
    );
    harness.stop().then(
      (summary) => {
        process.stderr.write(`${stopSummaryLine(summary, harness.backend.kind)}\n`);
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`error while stopping: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`the harness could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

function stopSummaryLine({ drained, stoppedAfterMs, remaining }: StopSummary, backend: 'memory' | 'aws'): string {
  const took = formatDuration(stoppedAfterMs);
  if (remaining === undefined) return `stopped after ${took}; the queue depths could not be read`;
  const left = (depth: QueueDepth): string => `${depth.visible} visible, ${depth.inFlight} in flight, ${depth.delayed} delayed`;
  if (allQueuesEmpty(remaining)) return `stopped after ${took}: drained, nothing left on the queues`;
  const orchestrated = remaining.orchestrated;
  const fate = backend === 'memory' ? 'lost with the in-memory queues' : 'left in SQS';
  const orchestratedLeft = orchestrated === undefined ? '' : `; orchestrated ${left(orchestrated)}`;
  return `stopped after ${took}${drained ? '' : ' (drain deadline reached)'}: orders ${left(remaining.orders)}${orchestratedLeft}; DLQ ${left(remaining.deadLetters)}: ${fate}`;
}
