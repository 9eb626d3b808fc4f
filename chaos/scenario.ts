import type { ClientBehaviour } from './clients.js';

/** A change at a moment of the scenario: the body of PUT /admin/faults, or a SIGKILL and restart of the harness. */
export type TimelineStep =
  { readonly atMs: number; readonly faults: Readonly<Record<string, unknown>> } | { readonly atMs: number; readonly kill: true };

export interface Targets {
  /** From first POST to SUCCEEDED or PARKED, over accepted orders. */
  readonly p99Ms?: number;
  readonly maxMs?: number;
  readonly parked?: number;
  /** Keys with an event delivered twice under one id, over accepted keys. */
  readonly duplicateShare?: number;
  /** From the last fault cleared to no record owing events. */
  readonly owingClearedWithinMs?: number;
  /** Same-payload 409s after a 503. */
  readonly conflictAfterUnavailable?: number;
}

export interface Scenario {
  readonly name: string;
  readonly what: string;
  readonly backend: 'memory' | 'aws';
  /** `npm start` options (the harness' CLI), besides --port and the backend's. */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** `perSecond`: orders started at that rate whatever the answers (open loop); `clients`: that many clients posting one after another (closed loop). */
  readonly load: { readonly orders: number; readonly perSecond?: number; readonly clients?: number };
  readonly client?: Partial<ClientBehaviour>;
  readonly timeline: readonly TimelineStep[];
  /** Clears every fault once the last first POST is decided (the recovery then counts from there). */
  readonly clearAfterLoad?: boolean;
  /** How long after the load and the timeline the orders get to settle. */
  readonly settleMs: number;
  readonly targets?: Targets;
  /** Another scenario of the run, without faults: the posting rate and orders settled while posting are compared with it. */
  readonly baseline?: { readonly scenario: string; readonly minPostingRatio?: number; readonly minSettledWhilePostingRatio?: number };
}
