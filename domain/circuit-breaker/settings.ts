import { PermanentError } from '../errors.js';
import { volumeRuleProblems, type VolumeRule } from './window.js';

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
