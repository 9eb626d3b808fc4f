export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (a manual clock resolves when advanced past it). */
  sleep(ms: number): Promise<void>;
}
