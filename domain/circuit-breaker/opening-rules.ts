import { figuresOf, isSlow, judgeAtVolume, atVolume, pruneWindow, recordCall, type CallWindow, type VolumeRule } from './window.js';
import type { BreakerSettings } from './settings.js';
import { INITIAL_BREAKER_STATE, type BreakerEvent, type BreakerState } from './state.js';

/**
 * Which rule opens a CLOSED breaker, one outcome at a time (see state-machine.ts for the rules in prose).
 */
type StateOf<S extends BreakerState['status']> = Extract<BreakerState, { readonly status: S }>;
type EventOf<T extends BreakerEvent['type']> = Extract<BreakerEvent, { readonly type: T }>;

/** A success ends the seed's run of failures; at volume it is one more call in the window (maybe a slow one). */
export function countSuccess(state: StateOf<'CLOSED'>, event: EventOf<'SUCCESS'>, settings: BreakerSettings, now: number): BreakerState {
  const rule = settings.volume;
  if (rule === undefined) return INITIAL_BREAKER_STATE;
  const window = recordCall(
    pruneWindow(state.window ?? [], rule, now),
    { at: now, failed: false, slow: isSlow(rule, event.durationMs) },
    rule,
  );
  if (judgeAtVolume(window, rule) === 'slow') return { status: 'OPEN', openedAt: now, rule: 'slow' };
  return { status: 'CLOSED', failures: 0, window };
}

export function countFailure(state: StateOf<'CLOSED'>, event: EventOf<'FAILURE'>, settings: BreakerSettings, now: number): BreakerState {
  const windowStart = state.firstFailureAt ?? now;
  const stale = settings.failureWindowMs !== undefined && now - windowStart > settings.failureWindowMs;
  const failures = stale ? 1 : state.failures + 1;
  const firstFailureAt = stale ? now : windowStart;
  const rule = settings.volume;
  if (rule === undefined) {
    if (failures >= settings.failureThreshold) return { status: 'OPEN', openedAt: now, rule: 'count' };
    return { status: 'CLOSED', failures, firstFailureAt };
  }
  const window = recordCall(
    pruneWindow(state.window ?? [], rule, now),
    { at: now, failed: true, slow: isSlow(rule, event.durationMs) },
    rule,
  );
  if (atVolume(window, rule)) {
    const verdict = judgeAtVolume(window, rule);
    if (verdict !== undefined) return { status: 'OPEN', openedAt: now, rule: verdict };
  } else if (failures >= settings.failureThreshold && failureShare(window) >= rule.failureRatio) {
    return { status: 'OPEN', openedAt: now, rule: 'count' };
  }
  // Every call failing, after a busy spell whose successes still dilute the ratio: the run decides.
  if (opensByRun(rule, failures, figuresOf(window).failures)) return { status: 'OPEN', openedAt: now, rule: 'run' };
  return { status: 'CLOSED', failures, firstFailureAt, window };
}

/**
 * The `run` rule, both lengths: `run` failures in a row open the breaker when they are at least
 * `consecutiveFailures`, or at least `cleanRunFailures` with no other counted failure in the window
 * (`windowFailures`, the run's included, is at most the run: the window is a suffix of the calls and the
 * run a suffix of it, so "no other failure" is just this count).
 */
export function opensByRun(rule: VolumeRule, run: number, windowFailures: number): boolean {
  if (rule.consecutiveFailures !== undefined && run >= rule.consecutiveFailures) return true;
  return rule.cleanRunFailures !== undefined && run >= rule.cleanRunFailures && windowFailures <= run;
}

function failureShare(window: CallWindow): number {
  const { calls, failures } = figuresOf(window);
  return calls === 0 ? 0 : failures / calls;
}
