import { PermanentError } from './errors.js';

/**
 * Whether a consuming fleet (the worker's event source mapping, the orchestrated topology's pipe) pulls
 * work, as a pure state machine. Breakers decide inside one execution environment; this decides for the
 * whole fleet, from a fleet-wide signal (breakers of a dependency opening) and one probe per period:
 *
 *   FLOWING ──DEPENDENCY_DOWN──▶ PAUSED (nextProbeAt = now + probeEveryMs)
 *      ▲                           │ PROBE_FAILED ──▶ PAUSED (nextProbeAt = now + probeEveryMs)
 *      └────── PROBE_SUCCEEDED ────┘
 *
 * While PAUSED no environment receives a batch: messages wait in the queue with their receive counts
 * untouched, up to its retention. One probe per period, for the whole fleet, finds out whether the
 * dependency is back (`probeDue`). A probe result while FLOWING is a late answer (another run resumed):
 * ignored. A second signal while PAUSED changes nothing (the alarm may fire again).
 */
export interface FleetFlowSettings {
  /** Time between probes while paused: the breakers' recovery period for that dependency. */
  readonly probeEveryMs: number;
}

/** The dependency a pause is for, by the name its breakers are configured under (e.g. `dynamodb`). */
export type DependencyName = string;

export type FleetFlowState =
  | { readonly status: 'FLOWING' }
  | {
      readonly status: 'PAUSED';
      readonly since: number;
      readonly service: DependencyName;
      readonly nextProbeAt: number;
      readonly probes: number;
    };

export type FleetFlowStatus = FleetFlowState['status'];

export type FleetFlowEvent =
  | { readonly type: 'DEPENDENCY_DOWN'; readonly service: DependencyName }
  | { readonly type: 'PROBE_SUCCEEDED' }
  | { readonly type: 'PROBE_FAILED' };

export const INITIAL_FLEET_FLOW: FleetFlowState = { status: 'FLOWING' };

type StateOf<S extends FleetFlowStatus> = Extract<FleetFlowState, { readonly status: S }>;
type EventOf<T extends FleetFlowEvent['type']> = Extract<FleetFlowEvent, { readonly type: T }>;
type Handler<S extends FleetFlowStatus, T extends FleetFlowEvent['type']> = (
  state: StateOf<S>,
  event: EventOf<T>,
  settings: FleetFlowSettings,
  now: number,
) => FleetFlowState;
type TransitionTable = { readonly [S in FleetFlowStatus]: { readonly [T in FleetFlowEvent['type']]: Handler<S, T> } };

const TRANSITIONS: TransitionTable = {
  FLOWING: {
    DEPENDENCY_DOWN: (_state, event, settings, now) => ({
      status: 'PAUSED',
      since: now,
      service: event.service,
      nextProbeAt: now + settings.probeEveryMs,
      probes: 0,
    }),
    PROBE_SUCCEEDED: (state) => state,
    PROBE_FAILED: (state) => state,
  },
  PAUSED: {
    DEPENDENCY_DOWN: (state) => state,
    PROBE_SUCCEEDED: () => INITIAL_FLEET_FLOW,
    PROBE_FAILED: (state, _event, settings, now) => ({ ...state, nextProbeAt: now + settings.probeEveryMs, probes: state.probes + 1 }),
  },
};

export function transitionFleetFlow(
  state: FleetFlowState,
  event: FleetFlowEvent,
  settings: FleetFlowSettings,
  now: number,
): FleetFlowState {
  const handler = TRANSITIONS[state.status][event.type] as Handler<FleetFlowStatus, FleetFlowEvent['type']>;
  return handler(state, event, settings, now);
}

/** True when a paused fleet is due its probe: one per `probeEveryMs`, never while flowing. */
export function probeDue(state: FleetFlowState, now: number): boolean {
  return state.status === 'PAUSED' && now >= state.nextProbeAt;
}

/** Rejects settings under which a paused fleet would probe without pause or never. */
export function assertValidFleetFlowSettings(settings: FleetFlowSettings): void {
  if (!Number.isFinite(settings.probeEveryMs) || settings.probeEveryMs <= 0) {
    throw new PermanentError(`invalid fleet flow settings: probeEveryMs must be a finite number > 0, got ${settings.probeEveryMs}`, {
      code: 'FLEET_FLOW.INVALID_SETTINGS',
      context: { probeEveryMs: settings.probeEveryMs },
    });
  }
}
