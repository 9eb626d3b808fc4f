/**
 * How long a worker's claim holds an order: the invocation's remaining time less a margin, so the lease
 * ends before the invocation does and another worker may take the order over if this one dies.
 */
export interface LeaseOptions {
  /** Kept back from the remaining invocation time, so the lease ends before the invocation does. */
  readonly marginMs: number;
  /** The shortest lease ever granted. */
  readonly floorMs: number;
  /** Used when the remaining time is unknown or not positive (0 must never mean "no lease"). */
  readonly fallbackMs: number;
}

export const DEFAULT_LEASE_OPTIONS: LeaseOptions = { marginMs: 1_000, floorMs: 5_000, fallbackMs: 60_000 };

/** Lease length for a claim made with `remainingMs` of invocation time left. */
export function leaseDurationMs(remainingMs: number | undefined, options: LeaseOptions = DEFAULT_LEASE_OPTIONS): number {
  if (remainingMs === undefined || !Number.isFinite(remainingMs) || remainingMs <= 0) return options.fallbackMs;
  return Math.max(options.floorMs, remainingMs - options.marginMs);
}
