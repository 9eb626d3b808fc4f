import { runLoad, type LoadRunResult } from './load-run.js';
import type { Check } from './invariants.js';

/** Load per run: a few seconds, so that the demo stays short; `npm run bench:degradation` measures properly. */
const ORDERS = 150;
const RATE_PER_SECOND = 30;
const FAULT_RATE = 0.2;
const DEADLINE_MS = 60_000;

export interface PartialDegradation {
  readonly check: Check;
  readonly lines: readonly string[];
}

/**
 * The demo's "partial degradation" phase: the same bounded load twice, on harnesses of its own with the
 * breakers' real settings, first without faults and then with 20 % of the calls to DynamoDB, SQS and
 * EventBridge failing. The throughput ratio is reported; the invariant is that nothing is lost or
 * committed twice (a ratio measured over a few seconds on a shared machine is too noisy to fail on).
 */
export async function runPartialDegradation(seed: number, say: (line: string) => void): Promise<PartialDegradation> {
  say(
    `▸ partial degradation: ${ORDERS} orders at ${RATE_PER_SECOND}/s without faults, then with ${FAULT_RATE * 100} % of the calls to every port failing`,
  );
  const clean = await runLoad({ faultRate: 0, orders: ORDERS, ratePerSecond: RATE_PER_SECOND, seed, deadlineMs: DEADLINE_MS });
  const faulty = await runLoad({ faultRate: FAULT_RATE, orders: ORDERS, ratePerSecond: RATE_PER_SECOND, seed, deadlineMs: DEADLINE_MS });
  const lines = [
    'Partial degradation (20 % of calls failing on every port, breakers at their real settings):',
    `  without faults   ${describe(clean)}`,
    `  with 20 % faults ${describe(faulty)}`,
    `  throughput ratio ${(faulty.ordersPerSecond / clean.ordersPerSecond).toFixed(2)} end to end, ${(faulty.sustainedOrdersPerSecond / clean.sustainedOrdersPerSecond).toFixed(2)} while loaded`,
  ];
  const problems = [clean, faulty].flatMap((run) => [
    ...(run.lost > 0 ? [`${run.faultRate * 100} % faults: ${run.lost} of ${run.accepted} accepted orders did not succeed`] : []),
    ...(run.committedTwice > 0 ? [`${run.faultRate * 100} % faults: ${run.committedTwice} orders committed twice`] : []),
  ]);
  return {
    check: {
      name: 'partial degradation: nothing lost, nothing committed twice (throughput ratio reported below)',
      ok: problems.length === 0,
      problems,
    },
    lines,
  };
}

function describe(run: LoadRunResult): string {
  const openings =
    Object.entries(run.breakerOpenings)
      .filter(([, n]) => n > 0)
      .map(([service, n]) => `${service} ${n}`)
      .join(', ') || 'none';
  const parked =
    Object.entries(run.parkedByCategory)
      .map(([category, n]) => `${category} ${n}`)
      .join(', ') || 'none';
  return `${run.settled}/${run.accepted} settled in ${(run.elapsedMs / 1_000).toFixed(1)} s (${run.ordersPerSecond.toFixed(1)} orders/s), lost ${run.lost}, parked ${parked}, committed twice ${run.committedTwice}, breakers opened: ${openings}`;
}
