import {
  INITIAL_BREAKER_STATE,
  transition,
  type BreakerEvent,
  type BreakerSettings,
  type BreakerState,
} from '../../domain/circuit-breaker/index.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';

export const T0 = 1_700_000_000_000;
export const SUCCESS: BreakerEvent = { type: 'SUCCESS' };
export const FAILURE: BreakerEvent = { type: 'FAILURE', category: 'TRANSIENT' };

/** The harness' seeded generator (mulberry32) as a function, so a simulation's fault pattern is reproducible from its seed. */
export function seeded(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** Feeds outcomes `gapMs` apart from `start`; returns the state, the calls made until it opened, and the clock. */
export function feed(
  outcomes: Iterable<boolean>,
  settings: BreakerSettings,
  gapMs: number,
  start: BreakerState = INITIAL_BREAKER_STATE,
  t = T0,
): { state: BreakerState; calls: number; now: number } {
  let state = start;
  let calls = 0;
  let now = t;
  for (const failed of outcomes) {
    if (state.status !== 'CLOSED') break;
    now += gapMs;
    state = transition(state, failed ? FAILURE : SUCCESS, settings, now);
    calls++;
  }
  return { state, calls, now };
}

export function* repeat(value: boolean, n: number): Generator<boolean> {
  for (let i = 0; i < n; i++) yield value;
}

export function* faults(random: () => number, rate: number, n: number): Generator<boolean> {
  for (let i = 0; i < n; i++) yield random() < rate;
}
