import { opensByRun } from './opening-rules.js';
import { pruneWindow } from './window.js';
import type { BreakerSettings } from './settings.js';
import type { BreakerState } from './state.js';

/**
 * How many more counted failures, arriving now, the breaker takes before it opens (≥ 1 while CLOSED, 0
 * otherwise). Admitting no more calls at once than this is what bounds an outage's price: if every call in
 * flight fails, the breaker opens with the last of them, and no further call has gone out.
 *
 * `atMost` caps the answer (the result is `min(answer, atMost)`): admission only asks whether the calls in
 * flight are fewer than the answer, so it passes `inFlight + 1`.
 *
 * It answers what feeding `transition` one TRANSIENT failure at a time, all at `now`, would (the spec
 * checks it against exactly that), without building a window per step: admission asks on every call.
 * All at one instant, the count's staleness is settled by the first failure and the window, pruned once
 * at `now`, only slides: each failure enters at the end and, once full, pushes the oldest sample out.
 */
export function failuresToOpen(state: BreakerState, settings: BreakerSettings, now: number, atMost = Number.POSITIVE_INFINITY): number {
  if (state.status !== 'CLOSED') return 0;
  // Each failure either opens the breaker or adds a failed sample; the count rule opens after
  // failureThreshold, a full window of failures has ratio 1: it opens within that many steps.
  const limit = Math.min(settings.failureThreshold + (settings.volume?.windowCalls ?? 0), Math.max(1, atMost));
  const stale = settings.failureWindowMs !== undefined && now - (state.firstFailureAt ?? now) > settings.failureWindowMs;
  const counted = stale ? 0 : state.failures;
  const rule = settings.volume;
  if (rule === undefined) return Math.min(limit, Math.max(1, settings.failureThreshold - counted));
  const samples = pruneWindow(state.window ?? [], rule, now);
  // failedBefore[i] / slowBefore[i]: counted failures / slow calls among the first i samples.
  const failedBefore = [0];
  const slowBefore = [0];
  for (const sample of samples) {
    failedBefore.push(failedBefore[failedBefore.length - 1]! + (sample.failed ? 1 : 0));
    slowBefore.push(slowBefore[slowBefore.length - 1]! + (sample.slow ? 1 : 0));
  }
  const n = samples.length;
  for (let k = 1; k <= limit; k++) {
    const calls = Math.min(n + k, rule.windowCalls);
    const pushedOut = Math.min(n, n + k - calls);
    const newFailures = calls - (n - pushedOut);
    const failed = failedBefore[n]! - failedBefore[pushedOut]! + newFailures;
    const slow = slowBefore[n]! - slowBefore[pushedOut]!;
    if (opensByRun(rule, counted + k, failed)) return k;
    if (calls >= rule.minimumCalls) {
      if (failed / calls >= rule.failureRatio) return k;
      if (rule.slowCallMs !== undefined && rule.slowCallRatio !== undefined && slow / calls >= rule.slowCallRatio) return k;
    } else if (counted + k >= settings.failureThreshold && failed / calls >= rule.failureRatio) {
      return k;
    }
  }
  return limit;
}
