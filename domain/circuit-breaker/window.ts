/**
 * The sliding window of recent call outcomes that a breaker judges at volume, and the rule that judges
 * it. Pure: the clock is an argument, and the window is a plain array (a breaker's state stays a value).
 *
 * The window is the last `windowCalls` calls that are not older than `windowMs`. The count bound keeps the
 * price of a total outage small at any traffic (at most ⌈failureRatio × windowCalls⌉ failures open it);
 * the time bound drops stale samples, so an environment frozen for minutes does not trip on failures it
 * saw before the freeze.
 */

/** When the window holds at least `minimumCalls`, the failure ratio decides instead of the seed's count. */
export interface VolumeRule {
  /** Share of counted failures (0 < ratio ≤ 1) among the window's calls that opens the breaker. */
  readonly failureRatio: number;
  /** Calls the window must hold for the ratio to decide; below it the seed's "N failures within T" does. */
  readonly minimumCalls: number;
  /** Most recent calls kept (≥ minimumCalls). */
  readonly windowCalls: number;
  /** Samples older than this are dropped. */
  readonly windowMs: number;
  /** A call that took at least this long is slow (optional slow-call rule, together with slowCallRatio). */
  readonly slowCallMs?: number;
  /** Share of slow calls (0 < ratio ≤ 1) that opens the breaker at volume. */
  readonly slowCallRatio?: number;
  /**
   * A run of this many counted failures with no success between opens the breaker at any volume (the
   * `run` rule): a dependency that fails every call is told apart from scattered faults by the run, not by
   * a ratio diluted by the successes that came before the outage. Optional; at least 1.
   */
  readonly consecutiveFailures?: number;
  /**
   * A shorter run that opens the breaker (also the `run` rule) when the window holds no counted failure
   * but the run's own: failures arriving in a row after a clean spell are a total outage far more often
   * than a scattered fault, which would have left failures in the window already. Optional; at least 1.
   */
  readonly cleanRunFailures?: number;
}

export interface CallSample {
  readonly at: number;
  /** A counted failure (TRANSIENT, TIMEOUT); failures that say nothing about health never enter. */
  readonly failed: boolean;
  readonly slow: boolean;
}

export type CallWindow = readonly CallSample[];

export interface WindowFigures {
  readonly calls: number;
  readonly failures: number;
  readonly slow: number;
}

/** The window as it stands at `now`: samples past the time bound dropped, then the oldest beyond the count bound. */
export function pruneWindow(window: CallWindow, rule: VolumeRule, now: number): CallWindow {
  // The common case, nothing to drop, allocates nothing: this runs on every call through a breaker.
  if (window.length <= rule.windowCalls && window.every((sample) => now - sample.at <= rule.windowMs)) return window;
  const fresh = window.filter((sample) => now - sample.at <= rule.windowMs);
  const kept = fresh.length > rule.windowCalls ? fresh.slice(fresh.length - rule.windowCalls) : fresh;
  return kept.length === window.length ? window : kept;
}

/** Adds one outcome at `now` and prunes. */
export function recordCall(window: CallWindow, sample: CallSample, rule: VolumeRule): CallWindow {
  const fresh = pruneWindow(window, rule, sample.at);
  // Full: drop the oldest as the new sample comes in (one copy, not two).
  return fresh.length >= rule.windowCalls ? [...fresh.slice(fresh.length - rule.windowCalls + 1), sample] : [...fresh, sample];
}

export function figuresOf(window: CallWindow): WindowFigures {
  let failures = 0;
  let slow = 0;
  for (const sample of window) {
    if (sample.failed) failures++;
    if (sample.slow) slow++;
  }
  return { calls: window.length, failures, slow };
}

/** Whether the window holds enough calls for the volume rule to decide. */
export function atVolume(window: CallWindow, rule: VolumeRule): boolean {
  return window.length >= rule.minimumCalls;
}

export type VolumeVerdict = 'ratio' | 'slow' | undefined;

/** The volume rule's verdict on a pruned window: which of its rules opens the breaker, if any. */
export function judgeAtVolume(window: CallWindow, rule: VolumeRule): VolumeVerdict {
  if (!atVolume(window, rule)) return undefined;
  const { calls, failures, slow } = figuresOf(window);
  if (failures / calls >= rule.failureRatio) return 'ratio';
  if (rule.slowCallMs !== undefined && rule.slowCallRatio !== undefined && slow / calls >= rule.slowCallRatio) return 'slow';
  return undefined;
}

/** Whether a call that took `durationMs` counts as slow under `rule`. */
export function isSlow(rule: VolumeRule | undefined, durationMs: number | undefined): boolean {
  return rule?.slowCallMs !== undefined && durationMs !== undefined && durationMs >= rule.slowCallMs;
}

/** Every reason `rule` cannot work (empty when it can). */
export function volumeRuleProblems(rule: VolumeRule): string[] {
  const problems: string[] = [];
  const ratio = (value: number | undefined): boolean => value !== undefined && Number.isFinite(value) && value > 0 && value <= 1;
  if (!ratio(rule.failureRatio)) problems.push('volume.failureRatio must be above 0 and at most 1');
  if (!Number.isInteger(rule.minimumCalls) || rule.minimumCalls < 1) problems.push('volume.minimumCalls must be an integer ≥ 1');
  if (!Number.isInteger(rule.windowCalls) || rule.windowCalls < rule.minimumCalls)
    problems.push('volume.windowCalls must be an integer ≥ volume.minimumCalls');
  if (!Number.isFinite(rule.windowMs) || rule.windowMs <= 0) problems.push('volume.windowMs must be a finite number > 0');
  if (rule.consecutiveFailures !== undefined && (!Number.isInteger(rule.consecutiveFailures) || rule.consecutiveFailures < 1)) {
    problems.push('volume.consecutiveFailures must be an integer ≥ 1 when set');
  }
  if (rule.cleanRunFailures !== undefined && (!Number.isInteger(rule.cleanRunFailures) || rule.cleanRunFailures < 1)) {
    problems.push('volume.cleanRunFailures must be an integer ≥ 1 when set');
  }
  const slowSet = rule.slowCallMs !== undefined || rule.slowCallRatio !== undefined;
  if (slowSet && !(rule.slowCallMs !== undefined && Number.isFinite(rule.slowCallMs) && rule.slowCallMs > 0 && ratio(rule.slowCallRatio))) {
    problems.push('volume.slowCallMs (> 0) and volume.slowCallRatio (above 0, at most 1) go together');
  }
  return problems;
}

/** Narrows a stored window. */
export function isCallWindow(value: unknown): value is CallWindow {
  return (
    Array.isArray(value) &&
    value.every((sample: unknown) => {
      if (typeof sample !== 'object' || sample === null) return false;
      const s = sample as Record<string, unknown>;
      return Number.isFinite(s['at']) && typeof s['failed'] === 'boolean' && typeof s['slow'] === 'boolean';
    })
  );
}
