import type { ErrorCategory } from '../../domain/error-category.js';

/**
 * The seed's failure simulation: a request may ask for a failure so that every path can be driven end
 * to end. Only honoured where configuration allows it (never in production); otherwise the request
 * is refused with a field-level reason.
 */
export type SimulatedFailureKind = 'validation' | 'transient' | 'permanent' | 'timeout';

export interface FailureSimulation {
  readonly kind: SimulatedFailureKind;
  /** For transient and timeout: fail this many attempts, then succeed. */
  readonly times: number;
}

export const SIMULATION_HEADER = 'x-simulate-failure';

const CATEGORY_OF: Readonly<Record<SimulatedFailureKind, ErrorCategory>> = {
  validation: 'VALIDATION',
  transient: 'TRANSIENT',
  permanent: 'PERMANENT',
  timeout: 'TIMEOUT',
};

export function simulatedCategory(simulation: FailureSimulation): ErrorCategory {
  return CATEGORY_OF[simulation.kind];
}

/** Parses `kind[:times]`, e.g. `transient:3`. Returns a reason string when it cannot. */
export function parseSimulation(value: string): FailureSimulation | string {
  const match = /^(validation|transient|permanent|timeout)(?::(\d{1,2}))?$/.exec(value.trim().toLowerCase());
  if (match === null) return 'must be validation, permanent, transient[:N] or timeout[:N] with N from 1 to 99';
  const kind = match[1] as SimulatedFailureKind;
  const times = match[2] === undefined ? 1 : Number(match[2]);
  if (times < 1) return 'N must be at least 1';
  return { kind, times: kind === 'transient' || kind === 'timeout' ? times : Number.MAX_SAFE_INTEGER };
}

export function isSimulation(value: unknown): value is FailureSimulation {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<FailureSimulation>;
  // Own keys only: `in` would also accept inherited names such as toString or constructor.
  return (
    typeof candidate.kind === 'string' &&
    Object.hasOwn(CATEGORY_OF, candidate.kind) &&
    Number.isSafeInteger(candidate.times) &&
    (candidate.times ?? 0) >= 1
  );
}
