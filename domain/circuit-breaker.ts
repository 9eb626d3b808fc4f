import { RETRY_POLICIES, type ErrorCategory } from './error-category.js';
import { IllegalTransitionError, PermanentError } from './errors.js';
import {
  figuresOf,
  isCallWindow,
  isSlow,
  judgeAtVolume,
  atVolume,
  pruneWindow,
  recordCall,
  volumeRuleProblems,
  type CallWindow,
  type VolumeRule,
} from './breaker-window.js';

/**
 * A circuit breaker per dependency, as a pure state machine. Half-open is decided lazily when a call asks
 * for a permit, by comparing the clock with `openedAt`: no timers, so an execution environment frozen
 * between invocations is still right when it thaws.
 *
 *   CLOSED ──count rule (low volume) / ratio or slow-call rule (at volume)──▶ OPEN (rule recorded)
 *     ▲                                                        │ ACQUIRE once recoveryTimeoutMs passed
 *     └────────────── probe SUCCESS ─────── HALF_OPEN ◀────────┘
 *                                             │ counted probe FAILURE ──▶ OPEN (openedAt = now)
 *
 * Only failures whose category says something about the dependency's health (RETRY_POLICIES[c].tripsBreaker:
 * TRANSIENT and TIMEOUT) count. Results that arrive while OPEN are answers to calls made before it opened:
 * legal races, ignored. RELEASE frees a probe slot without judging health; one without a probe in flight
 * is a bug and fails loudly.
 *
 * Which rule decides depends on traffic. While the sliding window (breaker-window.ts) holds fewer than
 * `volume.minimumCalls` calls, the seed's "N failures within T" does: a few failures mean a lot when there
 * are few calls. Exactly so for a cold, idle or just recovered breaker (no success in the window); when the
 * window also holds successes, the N failures in a row must be at least the failure ratio of its calls. A
 * busy environment starts with an empty window too, and at 20 % failures a run of 3 among its first 20
 * calls is likely (about 1 in 8): without that condition it would open on a partial fault for a whole
 * recovery period, the very stall the volume rule exists to prevent. At volume, the failure ratio (and, when configured, the slow-call ratio) over the window
 * does, so a dependency that fails 3 % of hundreds of calls a second stays in use. At every volume a run of
 * `volume.consecutiveFailures` counted failures with no success between opens it too (the `run` rule), so
 * a total outage is not priced by the successes before it. The OPEN state says which rule opened it:
 * `count`, `ratio`, `slow`, `run`, or `probe` (a failed half-open probe).
 */
export const SERVICE_NAMES = ['dynamodb', 'sqs', 'eventbridge'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface BreakerSettings {
  /** Consecutive counted failures that open the breaker. */
  readonly failureThreshold: number;
  /** How long it stays OPEN before one probe may find out whether the dependency recovered. */
  readonly recoveryTimeoutMs: number;
  /** Probes allowed at once while HALF_OPEN. */
  readonly halfOpenMaxProbes: number;
  /** When set, failures count only within this long of the first counted one ("N failures within T"). */
  readonly failureWindowMs?: number;
  /** The failure-ratio rule at volume; without it the count rule decides at every volume (the seed's behaviour). */
  readonly volume?: VolumeRule;
}

export type OpeningRule = 'count' | 'ratio' | 'slow' | 'run' | 'probe';
export const OPENING_RULES: readonly OpeningRule[] = ['count', 'ratio', 'slow', 'run', 'probe'];

/**
 * How many times the seed's threshold a run of failures must be to open the breaker at volume. A run of
 * k failures at a scattered fault rate p starts on a given call with probability about (1 − p)·p^k: at
 * 20 %, 4 × 3 = 12 gives 3.3e-9, under one false opening a day at 1 000 calls/s in one environment
 * (0.28); 3 × 3 = 9 would give 35 a day. So a total outage costs at most 12 DynamoDB or EventBridge calls
 * per environment, and 20 SQS calls, at any volume, instead of ⌈failureRatio × windowCalls⌉ = 25.
 */
export const RUN_RULE_MULTIPLE = 4;

/**
 * The seed's per-service rule ("DynamoDB: 3 failures, 30 s recovery", …), read as N failures within T:
 * the one duration is both the window and the recovery time, so failures left over from before an idle
 * gap (a frozen environment) cannot add up to a trip.
 */
export const SERVICE_BREAKER_SETTINGS: Readonly<Record<ServiceName, BreakerSettings>> = {
  dynamodb: {
    failureThreshold: 3,
    recoveryTimeoutMs: 30_000,
    halfOpenMaxProbes: 1,
    failureWindowMs: 30_000,
    volume: volumeRule(30_000, 3),
  },
  sqs: { failureThreshold: 5, recoveryTimeoutMs: 60_000, halfOpenMaxProbes: 1, failureWindowMs: 60_000, volume: volumeRule(60_000, 5) },
  eventbridge: {
    failureThreshold: 3,
    recoveryTimeoutMs: 45_000,
    halfOpenMaxProbes: 1,
    failureWindowMs: 45_000,
    volume: volumeRule(45_000, 3),
  },
};

/**
 * Half the calls failing over at least 20 of the last 50 calls within the seed's window, or a run of
 * RUN_RULE_MULTIPLE × the seed's threshold failures. Simulated over 2 million independent calls: 20 %
 * failures never opened it, 30 % did about 280 times per million calls; a total outage at volume opens it
 * after at most 4 × the seed's threshold failures (the run rule), where the ratio alone took up to 25.
 */
function volumeRule(windowMs: number, failureThreshold: number): VolumeRule {
  return { failureRatio: 0.5, minimumCalls: 20, windowCalls: 50, windowMs, consecutiveFailures: RUN_RULE_MULTIPLE * failureThreshold };
}

export type BreakerState =
  | { readonly status: 'CLOSED'; readonly failures: number; readonly firstFailureAt?: number; readonly window?: CallWindow }
  | { readonly status: 'OPEN'; readonly openedAt: number; readonly rule: OpeningRule }
  | { readonly status: 'HALF_OPEN'; readonly probesInFlight: number };

export type BreakerStatus = BreakerState['status'];
export const BREAKER_STATUSES: readonly BreakerStatus[] = ['CLOSED', 'OPEN', 'HALF_OPEN'];

export const INITIAL_BREAKER_STATE: BreakerState = { status: 'CLOSED', failures: 0 };

export type BreakerEvent =
  | { readonly type: 'ACQUIRE' }
  | { readonly type: 'SUCCESS'; readonly durationMs?: number }
  | { readonly type: 'FAILURE'; readonly category: ErrorCategory; readonly durationMs?: number }
  | { readonly type: 'RELEASE' };

export interface AcquireResult {
  readonly permitted: boolean;
  readonly state: BreakerState;
  /** How long until a call may be permitted again; 0 when this one is. */
  readonly retryAfterMs: number;
}

/** Whether a failure of `category` says the dependency is unhealthy. */
export function countsAgainstHealth(category: ErrorCategory): boolean {
  return RETRY_POLICIES[category].tripsBreaker;
}

/** Asks for permission to call. The returned state must be stored whether or not the call is permitted. */
export function acquire(state: BreakerState, settings: BreakerSettings, now: number): AcquireResult {
  switch (state.status) {
    case 'CLOSED':
      return { permitted: true, state, retryAfterMs: 0 };
    case 'OPEN': {
      // A wall clock that stepped back behind openedAt would otherwise hold the breaker open for as long
      // as the step: wait one recovery period from the clock as it now reads.
      const openedAt = Math.min(state.openedAt, now);
      const dueAt = openedAt + settings.recoveryTimeoutMs;
      if (now < dueAt) {
        const held: BreakerState = openedAt === state.openedAt ? state : { status: 'OPEN', openedAt, rule: state.rule };
        return { permitted: false, state: held, retryAfterMs: dueAt - now };
      }
      return { permitted: true, state: { status: 'HALF_OPEN', probesInFlight: 1 }, retryAfterMs: 0 };
    }
    case 'HALF_OPEN':
      if (state.probesInFlight < settings.halfOpenMaxProbes) {
        return { permitted: true, state: { status: 'HALF_OPEN', probesInFlight: state.probesInFlight + 1 }, retryAfterMs: 0 };
      }
      // When the running probe ends is unknown; a failed probe reopens for one recovery period, so that is
      // the honest wait to suggest.
      return { permitted: false, state, retryAfterMs: settings.recoveryTimeoutMs };
  }
}

type StateOf<S extends BreakerStatus> = Extract<BreakerState, { readonly status: S }>;
type EventOf<T extends BreakerEvent['type']> = Extract<BreakerEvent, { readonly type: T }>;
type Handler<S extends BreakerStatus, T extends BreakerEvent['type']> = (
  state: StateOf<S>,
  event: EventOf<T>,
  settings: BreakerSettings,
  now: number,
) => BreakerState;
type TransitionTable = {
  readonly [S in BreakerStatus]: { readonly [T in BreakerEvent['type']]: Handler<S, T> };
};

/** Every (state, event) pair, written out: nothing is left to a default branch. */
const TRANSITIONS: TransitionTable = {
  CLOSED: {
    ACQUIRE: (state, _event, settings, now) => acquire(state, settings, now).state,
    SUCCESS: (state, event, settings, now) => countSuccess(state, event, settings, now),
    FAILURE: (state, event, settings, now) => (countsAgainstHealth(event.category) ? countFailure(state, event, settings, now) : state),
    RELEASE: (state) => illegal(state, 'RELEASE'),
  },
  OPEN: {
    ACQUIRE: (state, _event, settings, now) => acquire(state, settings, now).state,
    SUCCESS: (state) => state,
    FAILURE: (state) => state,
    RELEASE: (state) => illegal(state, 'RELEASE'),
  },
  HALF_OPEN: {
    ACQUIRE: (state, _event, settings, now) => acquire(state, settings, now).state,
    // A recovered dependency starts a fresh window: what it did before the outage says nothing now.
    SUCCESS: () => INITIAL_BREAKER_STATE,
    FAILURE: (state, event, _settings, now) =>
      countsAgainstHealth(event.category) ? { status: 'OPEN', openedAt: now, rule: 'probe' } : state,
    RELEASE: (state) =>
      state.probesInFlight > 0 ? { status: 'HALF_OPEN', probesInFlight: state.probesInFlight - 1 } : illegal(state, 'RELEASE'),
  },
};

/** The transition function: the stored state and what happened give the state to store. */
export function transition(state: BreakerState, event: BreakerEvent, settings: BreakerSettings, now: number): BreakerState {
  // The table is indexed by this very state's status and this very event's type, so the pair always matches.
  const handler = TRANSITIONS[state.status][event.type] as Handler<BreakerStatus, BreakerEvent['type']>;
  return handler(state, event, settings, now);
}

/** A success ends the seed's run of failures; at volume it is one more call in the window (maybe a slow one). */
function countSuccess(state: StateOf<'CLOSED'>, event: EventOf<'SUCCESS'>, settings: BreakerSettings, now: number): BreakerState {
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

function countFailure(state: StateOf<'CLOSED'>, event: EventOf<'FAILURE'>, settings: BreakerSettings, now: number): BreakerState {
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
  if (rule.consecutiveFailures !== undefined && failures >= rule.consecutiveFailures) return { status: 'OPEN', openedAt: now, rule: 'run' };
  return { status: 'CLOSED', failures, firstFailureAt, window };
}

function failureShare(window: CallWindow): number {
  const { calls, failures } = figuresOf(window);
  return calls === 0 ? 0 : failures / calls;
}

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
    if (rule.consecutiveFailures !== undefined && counted + k >= rule.consecutiveFailures) return k;
    if (calls >= rule.minimumCalls) {
      if (failed / calls >= rule.failureRatio) return k;
      if (rule.slowCallMs !== undefined && rule.slowCallRatio !== undefined && slow / calls >= rule.slowCallRatio) return k;
    } else if (counted + k >= settings.failureThreshold && failed / calls >= rule.failureRatio) {
      return k;
    }
  }
  return limit;
}

function illegal(state: BreakerState, event: string): never {
  throw new IllegalTransitionError('circuit-breaker', state.status, event);
}

/** True while calls are refused outright: OPEN and not yet due for a probe. */
export function isOpenAt(state: BreakerState, settings: BreakerSettings, now: number): boolean {
  return state.status === 'OPEN' && !acquire(state, settings, now).permitted;
}

/** Rejects settings that would make the breaker never open, never close or never probe. */
export function assertValidBreakerSettings(settings: BreakerSettings, name = 'breaker'): void {
  const problems: string[] = [];
  if (!Number.isInteger(settings.failureThreshold) || settings.failureThreshold < 1)
    problems.push('failureThreshold must be an integer ≥ 1');
  if (!Number.isFinite(settings.recoveryTimeoutMs) || settings.recoveryTimeoutMs < 0)
    problems.push('recoveryTimeoutMs must be a finite number ≥ 0');
  if (!Number.isInteger(settings.halfOpenMaxProbes) || settings.halfOpenMaxProbes < 1)
    problems.push('halfOpenMaxProbes must be an integer ≥ 1');
  if (settings.failureWindowMs !== undefined && (!Number.isFinite(settings.failureWindowMs) || settings.failureWindowMs <= 0)) {
    problems.push('failureWindowMs must be a finite number > 0 when set');
  }
  if (settings.volume !== undefined) problems.push(...volumeRuleProblems(settings.volume));
  if (problems.length > 0) {
    throw new PermanentError(`invalid ${name} settings: ${problems.join('; ')}`, {
      code: 'BREAKER.INVALID_SETTINGS',
      context: { name, problems },
    });
  }
}

/** Narrows a value read back from storage (or JSON) to a well-formed state. */
export function isBreakerState(value: unknown): value is BreakerState {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  const isCount = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 0;
  switch (candidate['status']) {
    case 'CLOSED':
      return (
        isCount(candidate['failures']) &&
        (candidate['firstFailureAt'] === undefined || Number.isFinite(candidate['firstFailureAt'])) &&
        (candidate['window'] === undefined || isCallWindow(candidate['window']))
      );
    case 'OPEN':
      return Number.isFinite(candidate['openedAt']) && (OPENING_RULES as readonly unknown[]).includes(candidate['rule']);
    case 'HALF_OPEN':
      return isCount(candidate['probesInFlight']);
    default:
      return false;
  }
}
