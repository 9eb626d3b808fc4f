import type { Scenario } from './scenario.js';

/*
 * The named fault scenarios. Each lasts longer than every timer its guarantee depends on: the pipe's
 * give-up (10 retries, about 30 s), the breakers' recovery (30–60 s at their real settings), the
 * redelivery schedule (--redrive-every), the claim lease and the queue's visibility timeout. The quick
 * set (CI) shortens the timers (function timeout, visibility, recovery, schedule) and keeps every fault
 * longer than them.
 */

const ALL_PORTS = (rate: number): Record<string, number> => ({ dynamodb: rate, sqs: rate, eventbridge: rate });
const CLEAR = {};

/**
 * Timers for the full set: the harness' defaults (a function timeout whose visibility, 180 s, a crash must
 * wait out), with the redelivery every 60 s. As in every deployed stage (5 minutes), the period is at least
 * the EventBridge breaker's recovery (45 s), so each scheduled tick during an outage is a probe, and what
 * the outbox owes is delivered within one period after the bus is back: ticks sooner than the recovery would
 * find the breaker still open.
 */
const FULL = ['--redrive-every', '60s'];
/** Short timers for the quick set: 5 s function timeout, 30 s visibility (6 ×), 5 s breaker recovery, redelivery every 5 s. */
const QUICK = [
  '--function-timeout',
  '5s',
  '--visibility-timeout',
  '30s',
  '--breaker-recovery',
  '5s',
  '--redrive-every',
  '5s',
  '--max-concurrency',
  '4',
];

/**
 * moto serialises every DynamoDB call behind one lock (tools/moto/moto_server.py) and costs some calls in
 * proportion to the table or queue: on this 2-core machine it sustains about 5 orders a second through the
 * whole pipeline, relay included. Closed-loop clients posted 7.5 a second and left the relay minutes
 * behind, so the moto scenarios start orders at a rate moto keeps up with (open loop): their posting rate
 * then shows that the edge keeps pace under faults and a kill, not its ceiling (chaos-5pct measures that,
 * on memory, where the edge is the bottleneck).
 */
const MOTO_ORDERS = 1_000;
const MOTO_RATE = 4;

const CHAOS_MIX = { repostShare: 0.1, conflictShare: 0.05 };

/** A fault-free run at 20/s, then the same load with 20 % of the calls to every port failing for `faultMs`. */
function partialFaults(args: readonly string[], orders: number, faultMs: number, settleMs: number): Scenario[] {
  return [
    {
      name: 'clean-20ps',
      what: `${orders} orders at 20/s, no faults: the baseline of partial-20pct`,
      backend: 'memory',
      args,
      load: { orders, perSecond: 20 },
      timeline: [],
      settleMs: 60_000,
    },
    {
      name: 'partial-20pct',
      what: `20 % of the calls to every port fail for ${faultMs / 1_000} s; ${orders} orders at 20/s`,
      backend: 'memory',
      args,
      load: { orders, perSecond: 20 },
      timeline: [
        { atMs: 0, faults: { faults: ALL_PORTS(0.2) } },
        { atMs: faultMs, faults: CLEAR },
      ],
      settleMs,
      targets: { p99Ms: 30_000, maxMs: 90_000, parked: 0 },
      baseline: { scenario: 'clean-20ps', minSettledWhilePostingRatio: 0.8 },
    },
  ];
}

/** EventBridge down for `outageMs` from 5 s on, orders at `perSecond` until 5 s after it. */
function eventBridgeDown(
  name: string,
  args: readonly string[],
  perSecond: number,
  outageMs: number,
  settleMs: number,
  owingClearedWithinMs: number,
): Scenario {
  const orders = Math.round(((outageMs + 10_000) / 1_000) * perSecond);
  return {
    name,
    what: `EventBridge down ${outageMs / 1_000} s, ${perSecond} orders/s for ${(outageMs + 10_000) / 1_000} s`,
    backend: 'memory',
    args,
    load: { orders, perSecond },
    timeline: [
      { atMs: 5_000, faults: { faults: { eventbridge: 1 } } },
      { atMs: 5_000 + outageMs, faults: CLEAR },
    ],
    settleMs,
    targets: { parked: 0, owingClearedWithinMs },
  };
}

/** Many clients with re-posts and conflicts, fault-free, then with 5 % faults on every port and 2 % worker crashes. */
function chaosAtFivePercent(args: readonly string[], orders: number, settleMs: number): Scenario[] {
  return [
    {
      name: 'chaos-clean',
      what: `${orders} orders from 20 clients with re-posts and conflicts, no faults: the baseline of chaos-5pct`,
      backend: 'memory',
      args,
      load: { orders, clients: 20 },
      client: CHAOS_MIX,
      timeline: [],
      settleMs: 120_000,
    },
    {
      name: 'chaos-5pct',
      what: `${orders} orders from 20 clients, 5 % faults on every port, 2 % worker crashes, re-posts and conflicts`,
      backend: 'memory',
      args,
      load: { orders, clients: 20 },
      client: CHAOS_MIX,
      timeline: [{ atMs: 0, faults: { faults: ALL_PORTS(0.05), crashAfter: { process: 0.02 } } }],
      clearAfterLoad: true,
      settleMs,
      targets: { duplicateShare: 0.01, conflictAfterUnavailable: 0 },
      baseline: { scenario: 'chaos-clean', minPostingRatio: 0.7 },
    },
  ];
}

function full(): Scenario[] {
  const chaosMix = CHAOS_MIX;
  return [
    ...partialFaults(FULL, 600, 120_000, 400_000),
    eventBridgeDown('eventbridge-down-60s', FULL, 10, 60_000, 300_000, 60_000),
    // At the real timers the relay waits out its breaker (about 25 s) before each of the pipe's 10 retries: it gives up after about 250 s.
    eventBridgeDown('eventbridge-down-10min', FULL, 5, 600_000, 300_000, 60_000),
    {
      name: 'dynamodb-down-60s',
      what: 'DynamoDB down 60 s, 20 orders/s for 90 s',
      backend: 'memory',
      args: FULL,
      load: { orders: 1_800, perSecond: 20 },
      timeline: [
        { atMs: 10_000, faults: { faults: { dynamodb: 1 } } },
        { atMs: 70_000, faults: CLEAR },
      ],
      settleMs: 400_000,
      targets: { parked: 0 },
    },
    {
      name: 'sqs-down-30s',
      what: 'SQS down 30 s, 20 orders/s for 60 s',
      backend: 'memory',
      args: FULL,
      load: { orders: 1_200, perSecond: 20 },
      timeline: [
        { atMs: 10_000, faults: { faults: { sqs: 1 } } },
        { atMs: 40_000, faults: CLEAR },
      ],
      settleMs: 400_000,
      targets: { parked: 0, conflictAfterUnavailable: 0 },
    },
    {
      name: 'crash-2pct',
      what: '2 % of worker invocations die between the business step and the completion; 600 orders at 20/s',
      backend: 'memory',
      args: FULL,
      load: { orders: 600, perSecond: 20 },
      timeline: [{ atMs: 0, faults: { crashAfter: { process: 0.02 } } }],
      clearAfterLoad: true,
      settleMs: 600_000,
      targets: { parked: 0 },
    },
    {
      name: 'crash-always',
      what: 'every worker invocation dies after the business step for 20 s; 200 orders at 10/s',
      backend: 'memory',
      args: FULL,
      load: { orders: 200, perSecond: 10 },
      timeline: [
        { atMs: 0, faults: { crashAfter: { process: 1 } } },
        { atMs: 20_000, faults: CLEAR },
      ],
      settleMs: 600_000,
      targets: { parked: 0 },
    },
    {
      name: 'lease-lost-slow-worker',
      what: "the worker's DynamoDB calls take 3 s against a 5 s timeout for 30 s: invocations die mid-work, leases run out, another attempt takes over",
      backend: 'memory',
      args: [...FULL, '--function-timeout', '5s', '--visibility-timeout', '30s'],
      load: { orders: 100, perSecond: 5 },
      timeline: [
        { atMs: 0, faults: { latency: { dynamodb: '3s' }, functions: ['worker'] } },
        { atMs: 30_000, faults: CLEAR },
      ],
      settleMs: 300_000,
      targets: { parked: 0 },
    },
    ...chaosAtFivePercent(FULL, 5_000, 600_000),
    {
      name: 'moto-clean',
      what: `${MOTO_ORDERS} orders at ${MOTO_RATE}/s on moto with re-posts and conflicts, no faults: the baseline of moto-sigkill`,
      backend: 'aws',
      args: FULL,
      load: { orders: MOTO_ORDERS, perSecond: MOTO_RATE },
      client: chaosMix,
      timeline: [],
      settleMs: 600_000,
    },
    {
      name: 'moto-sigkill',
      what: `${MOTO_ORDERS} orders at ${MOTO_RATE}/s on moto, 5 % faults and 2 % crashes, re-posts and conflicts, the harness killed (SIGKILL) after 60 s and restarted`,
      backend: 'aws',
      args: FULL,
      load: { orders: MOTO_ORDERS, perSecond: MOTO_RATE },
      client: chaosMix,
      timeline: [
        { atMs: 0, faults: { faults: ALL_PORTS(0.05), crashAfter: { process: 0.02 } } },
        { atMs: 60_000, kill: true },
        { atMs: 62_000, faults: { faults: ALL_PORTS(0.05), crashAfter: { process: 0.02 } } },
      ],
      clearAfterLoad: true,
      settleMs: 900_000,
      targets: { duplicateShare: 0.01, conflictAfterUnavailable: 0 },
      baseline: { scenario: 'moto-clean', minPostingRatio: 0.7 },
    },
  ];
}

function quick(): Scenario[] {
  return [
    ...partialFaults(QUICK, 200, 20_000, 120_000),
    // At the quick timers (5 s function timeout and breaker recovery) the pipe gives up after about 25 s.
    eventBridgeDown('eventbridge-down-2x-giveup', QUICK, 5, 60_000, 120_000, 15_000),
    ...chaosAtFivePercent(QUICK, 500, 180_000),
  ];
}

export function scenarios(mode: 'full' | 'quick'): Scenario[] {
  return mode === 'quick' ? quick() : full();
}
