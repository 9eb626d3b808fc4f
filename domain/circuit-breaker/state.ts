import type { ErrorCategory } from '../error-category.js';
import type { CallWindow } from './window.js';

/** The breaker's stored state, what happens to it, and which rule opened it. */
export type OpeningRule = 'count' | 'ratio' | 'slow' | 'run' | 'probe';
export const OPENING_RULES: readonly OpeningRule[] = ['count', 'ratio', 'slow', 'run', 'probe'];

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
