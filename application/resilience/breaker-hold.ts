import type { ServiceName } from '../config/breaker-defaults.js';
import type { CircuitBreakers } from './circuit-breakers.js';

/**
 * How long a record returned to the queue stays invisible while a breaker the worker needs is open.
 *
 * The arithmetic (README, "Holding without burning receive counts"): every record returned while a breaker
 * is open, held or failed, comes back no earlier than the breaker's next probe, and each failed probe
 * reopens it for a full recovery period R. So, per execution environment, a message is received at most
 * once before the breaker opens and once per recovery period after: ⌈D / R⌉ times during an outage of
 * length D, and processed on the next receive. It reaches the DLQ only if ⌈D / R⌉ + 1 > maxReceiveCount,
 * so no healthy order does in an outage shorter than (maxReceiveCount − 1) × R (dev: 4 × 30 s = 120 s).
 */

/** The longest wait until every open breaker among `services` lets a probe through; undefined when none is open. */
export function openBreakerDelayMs(breakers: CircuitBreakers, services: readonly ServiceName[]): number | undefined {
  const open = services.filter((service) => breakers.isOpen(service));
  if (open.length === 0) return undefined;
  return Math.max(...open.map((service) => breakers.retryAfterMs(service)));
}

/** Visibility for a record returned while a breaker is open: the time until its probe, at least 1 s. */
export function holdSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

/**
 * A retry delay raised to the open breaker's remaining time: retrying before the probe is due would only
 * be held again and spend one more receive.
 */
export function atLeastUntilProbe(delaySeconds: number | undefined, openDelayMs: number | undefined): number | undefined {
  if (openDelayMs === undefined || openDelayMs <= 0) return delaySeconds;
  return Math.max(delaySeconds ?? 0, holdSeconds(openDelayMs));
}
