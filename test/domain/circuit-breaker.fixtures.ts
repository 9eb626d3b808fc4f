import {
  INITIAL_BREAKER_STATE,
  transition,
  type BreakerEvent,
  type BreakerSettings,
  type BreakerState,
} from '../../domain/circuit-breaker/index.js';
import { ERROR_CATEGORIES, RETRY_POLICIES, type ErrorCategory } from '../../domain/error-category.js';

export const SETTINGS: BreakerSettings = { failureThreshold: 3, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 };
export const T0 = 1_700_000_000_000;
export const TRIPPING: readonly ErrorCategory[] = ERROR_CATEGORIES.filter((c) => RETRY_POLICIES[c].tripsBreaker);
export const NOT_TRIPPING: readonly ErrorCategory[] = ERROR_CATEGORIES.filter((c) => !RETRY_POLICIES[c].tripsBreaker);

export const failure = (category: ErrorCategory = 'TRANSIENT'): BreakerEvent => ({ type: 'FAILURE', category });
export const SUCCESS: BreakerEvent = { type: 'SUCCESS' };
export const RELEASE: BreakerEvent = { type: 'RELEASE' };

export function applyAll(state: BreakerState, events: readonly BreakerEvent[], settings: BreakerSettings, now: number): BreakerState {
  return events.reduce((current, event) => transition(current, event, settings, now), state);
}

export function openedAt(now: number, settings: BreakerSettings = SETTINGS): BreakerState {
  return applyAll(
    INITIAL_BREAKER_STATE,
    Array.from({ length: settings.failureThreshold }, () => failure()),
    settings,
    now,
  );
}
