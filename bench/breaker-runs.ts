/**
 * `npx tsx bench/breaker-runs.ts`: what the breaker's opening rules do with independent faults, on the
 * DynamoDB breaker's real settings, through the domain's transition function (no harness, no clock: calls
 * 1 ms apart, 1 000 calls a second). Three simulations:
 *
 * - steady state: `--calls` calls (default 4 000 000) at each of 12 %, 20 % and 30 % faults; each opening
 *   is counted by rule (the run rule split into the clean run, shorter than the long run, and the long
 *   run) and the breaker starts again from a window of 50 successes;
 * - onsets: `--onsets` times (default 100 000) a window of 50 successes, then 200 calls at 20 % faults;
 *   how many open it, by rule;
 * - total outages: 5 000 times, 200 calls at 0 %, 1 %, 5 % or 20 % faults, then every call failing; how
 *   many calls the outage costs before the breaker opens (a histogram).
 *
 * Deterministic: the fault patterns come from a seeded generator (`--seed`, default 42). The last line is JSON.
 */
import { parseArgs } from 'node:util';
import { SERVICE_BREAKER_SETTINGS } from '../application/config/breaker-defaults.js';
import { INITIAL_BREAKER_STATE, transition, type BreakerEvent, type BreakerState } from '../domain/circuit-breaker/index.js';
import { SeededRandom } from '../adapters/system/seeded-random.js';

const { values } = parseArgs({
  options: { calls: { type: 'string' }, onsets: { type: 'string' }, seed: { type: 'string' } },
  strict: true,
});
const CALLS = Number(values.calls ?? 4_000_000);
const ONSETS = Number(values.onsets ?? 100_000);
const SEED = Number(values.seed ?? 42);

const settings = SERVICE_BREAKER_SETTINGS.dynamodb;
const { consecutiveFailures, windowCalls } = settings.volume!;
const FAILURE: BreakerEvent = { type: 'FAILURE', category: 'TRANSIENT' };
const SUCCESS: BreakerEvent = { type: 'SUCCESS' };

// The harness' seeded generator (mulberry32), so each figure is reproducible.
const generator = new SeededRandom(SEED);
const random = (): number => generator.next();
let now = 1_700_000_000_000;

function cleanWindow(): BreakerState {
  let state: BreakerState = INITIAL_BREAKER_STATE;
  for (let i = 0; i < windowCalls; i++) state = transition(state, SUCCESS, settings, ++now);
  return state;
}

/** Which rule opened it; a run shorter than the long run can only be the clean run's. */
function ruleOf(state: BreakerState, streak: number): string {
  if (state.status !== 'OPEN') return 'closed';
  if (state.rule !== 'run') return state.rule;
  return streak < (consecutiveFailures ?? Number.POSITIVE_INFINITY) ? 'clean run' : 'long run';
}

function steadyState(rate: number): Record<string, number> {
  const openings: Record<string, number> = {};
  let state = cleanWindow();
  let streak = 0;
  for (let i = 0; i < CALLS; i++) {
    const failed = random() < rate;
    streak = failed ? streak + 1 : 0;
    state = transition(state, failed ? FAILURE : SUCCESS, settings, ++now);
    if (state.status === 'OPEN') {
      const rule = ruleOf(state, streak);
      openings[rule] = (openings[rule] ?? 0) + 1;
      state = cleanWindow();
      streak = 0;
    }
  }
  return openings;
}

function onsets(rate: number): Record<string, number> {
  const openings: Record<string, number> = {};
  for (let onset = 0; onset < ONSETS; onset++) {
    let state = cleanWindow();
    let streak = 0;
    for (let i = 0; i < 200 && state.status === 'CLOSED'; i++) {
      const failed = random() < rate;
      streak = failed ? streak + 1 : 0;
      state = transition(state, failed ? FAILURE : SUCCESS, settings, ++now);
    }
    if (state.status === 'OPEN') {
      const rule = ruleOf(state, streak);
      openings[rule] = (openings[rule] ?? 0) + 1;
    }
  }
  return openings;
}

function outageCosts(rate: number): Record<number, number> {
  const costs: Record<number, number> = {};
  for (let outage = 0; outage < 5_000; outage++) {
    now += 10_000_000;
    let state: BreakerState = INITIAL_BREAKER_STATE;
    for (let i = 0; i < 200; i++) {
      state = transition(state, random() < rate ? FAILURE : SUCCESS, settings, ++now);
      if (state.status !== 'CLOSED') state = INITIAL_BREAKER_STATE;
    }
    let calls = 0;
    while (state.status === 'CLOSED') {
      state = transition(state, FAILURE, settings, ++now);
      calls++;
    }
    costs[calls] = (costs[calls] ?? 0) + 1;
  }
  return costs;
}

const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};
const steady = Object.fromEntries([0.12, 0.2, 0.3].map((rate) => [rate, steadyState(rate)]));
for (const [rate, openings] of Object.entries(steady))
  say(`steady ${Number(rate) * 100} %, ${CALLS} calls: openings ${JSON.stringify(openings)}`);
const atOnset = onsets(0.2);
say(`onset of 20 % after a clean window, ${ONSETS} times: openings ${JSON.stringify(atOnset)}`);
const outages = Object.fromEntries([0, 0.01, 0.05, 0.2].map((rate) => [rate, outageCosts(rate)]));
for (const [rate, costs] of Object.entries(outages))
  say(`total outage after ${Number(rate) * 100} % faults, 5 000 times: calls to open ${JSON.stringify(costs)}`);
say(JSON.stringify({ seed: SEED, calls: CALLS, onsets: ONSETS, steady, onset: atOnset, outages }));
