/**
 * Turns a fleet's consumption of its queue off and on: the worker's event source mapping
 * (UpdateEventSourceMapping Enabled false / true) and the orchestrated topology's pipe (StopPipe /
 * StartPipe). Both are idempotent: pausing a paused fleet, or resuming a flowing one, changes nothing.
 * While paused no batch is received, so messages keep their receive counts; what is already in flight
 * finishes.
 */
export interface ConsumptionSwitch {
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** True when every consumer it controls is off or on its way off. */
  paused(): Promise<boolean>;
}
