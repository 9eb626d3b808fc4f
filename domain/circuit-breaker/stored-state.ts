import { isCallWindow } from './window.js';
import { OPENING_RULES, type BreakerState } from './state.js';

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
