import { IllegalTransitionError } from '../errors.js';
import { RETRY_POLICIES, type ErrorCategory } from '../error-category.js';
import { countFailure, countSuccess } from './opening-rules.js';
import type { BreakerSettings } from './settings.js';
import { INITIAL_BREAKER_STATE, type AcquireResult, type BreakerEvent, type BreakerState, type BreakerStatus } from './state.js';

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
 * Which rule decides depends on traffic. While the sliding window (window.ts) holds fewer than
 * `volume.minimumCalls` calls, the seed's "N failures within T" does: a few failures mean a lot when there
 * are few calls. Exactly so for a cold, idle or just recovered breaker (no success in the window); when the
 * window also holds successes, the N failures in a row must be at least the failure ratio of its calls. A
 * busy environment starts with an empty window too, and at 20 % failures a run of 3 among its first 20
 * calls is likely (about 1 in 8): without that condition it would open on a partial fault for a whole
 * recovery period, the very stall the volume rule exists to prevent. At volume, the failure ratio (and, when configured, the slow-call ratio) over the window
 * does, so a dependency that fails 3 % of hundreds of calls a second stays in use. At every volume a run of
 * `volume.consecutiveFailures` counted failures with no success between opens it too (the `run` rule), so
 * a total outage is not priced by the successes before it; a shorter run, `volume.cleanRunFailures`, does
 * when the window holds no other counted failure (a clean spell before it, where scattered faults would
 * have left some). The OPEN state says which rule opened it:
 * `count`, `ratio`, `slow`, `run`, or `probe` (a failed half-open probe).
 */
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

function illegal(state: BreakerState, event: string): never {
  throw new IllegalTransitionError('circuit-breaker', state.status, event);
}

/** True while calls are refused outright: OPEN and not yet due for a probe. */
export function isOpenAt(state: BreakerState, settings: BreakerSettings, now: number): boolean {
  return state.status === 'OPEN' && !acquire(state, settings, now).permitted;
}
