import { type VolumeRule } from '../../domain/circuit-breaker/index.js';
import {
  INITIAL_BREAKER_STATE,
  transition,
  type BreakerEvent,
  type BreakerSettings,
  type BreakerState,
} from '../../domain/circuit-breaker/index.js';

export const T0 = 1_700_000_000_000;
export const VOLUME: VolumeRule = { failureRatio: 0.5, minimumCalls: 20, windowCalls: 50, windowMs: 30_000 };
export const SETTINGS: BreakerSettings = {
  failureThreshold: 3,
  recoveryTimeoutMs: 30_000,
  halfOpenMaxProbes: 1,
  failureWindowMs: 30_000,
  volume: VOLUME,
};
export const SUCCESS: BreakerEvent = { type: 'SUCCESS' };
export const FAILURE: Extract<BreakerEvent, { readonly type: 'FAILURE' }> = { type: 'FAILURE', category: 'TRANSIENT' };

/** Outcomes one millisecond apart from T0 (true = counted failure). */
export function run(
  outcomes: readonly boolean[],
  settings: BreakerSettings = SETTINGS,
  start: BreakerState = INITIAL_BREAKER_STATE,
  t = T0,
): BreakerState {
  return outcomes.reduce(
    (state, failed, i) => (state.status === 'CLOSED' ? transition(state, failed ? FAILURE : SUCCESS, settings, t + i) : state),
    start,
  );
}

export const successes = (n: number): boolean[] => Array.from({ length: n }, () => false);
export const failures = (n: number): boolean[] => Array.from({ length: n }, () => true);
