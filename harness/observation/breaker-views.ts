import type { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { type BreakerState } from '../../domain/circuit-breaker/index.js';
import { SERVICE_NAMES, type ServiceName } from '../../application/config/breaker-defaults.js';

/* What /metrics and the status page show of the breakers: every function's environments, and per service the worst of them. */

export interface BreakerView {
  readonly status: BreakerState['status'];
  /** Counted failures while CLOSED. */
  readonly failures: number;
  /** ms until a call may be let through; 0 when one would be now. */
  readonly retryAfterMs: number;
  readonly failureThreshold: number;
  readonly recoveryTimeoutMs: number;
}

/** One service across the fleet: the worst environment's view, and which environments are not CLOSED. */
export interface BreakerSummary extends BreakerView {
  /** Environments (of every function) whose composition goes through this service's breaker. */
  readonly environments: number;
  /** `<function>#<n>` of each environment whose breaker is OPEN or HALF_OPEN. */
  readonly notClosedIn: readonly string[];
}

export interface EnvironmentBreakers {
  readonly environment: string;
  readonly busy: boolean;
  readonly invocations: number;
  /** Only the services the function's composition binds. */
  readonly breakers: Partial<Record<ServiceName, BreakerView>>;
}

export interface FunctionBreakers {
  /** Environments started so far (cold starts), and those discarded after a crash or timeout. */
  readonly started: number;
  readonly discarded: number;
  readonly environments: readonly EnvironmentBreakers[];
}

/** What the views are read from: a function's fleet (harness/emulation/lambda/function-fleet.ts). */
export interface BreakerSource {
  readonly functionName: string;
  readonly services: readonly ServiceName[];
  environments(): ReadonlyArray<{
    readonly id: string;
    readonly busy: boolean;
    readonly invocations: number;
    readonly breakers: CircuitBreakers;
  }>;
  stats(): { readonly started: number; readonly discarded: number };
}

const SEVERITY: Readonly<Record<BreakerState['status'], number>> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

export function breakerView(breakers: CircuitBreakers, service: ServiceName): BreakerView {
  const state = breakers.state(service);
  const settings = breakers.settingsOf(service);
  return {
    status: state.status,
    failures: state.status === 'CLOSED' ? state.failures : 0,
    retryAfterMs: breakers.retryAfterMs(service),
    failureThreshold: settings.failureThreshold,
    recoveryTimeoutMs: settings.recoveryTimeoutMs,
  };
}

export function functionBreakers(sources: readonly BreakerSource[]): Record<string, FunctionBreakers> {
  return Object.fromEntries(
    sources.map((source) => [
      source.functionName,
      {
        ...source.stats(),
        environments: source.environments().map((environment) => ({
          environment: environment.id,
          busy: environment.busy,
          invocations: environment.invocations,
          breakers: Object.fromEntries(source.services.map((service) => [service, breakerView(environment.breakers, service)])),
        })),
      },
    ]),
  );
}

/**
 * Per service, the most severe state among the environments that use it (OPEN over HALF_OPEN over
 * CLOSED; among CLOSED ones, the most failures), naming the environments that are not CLOSED. With no
 * environment yet, `reference` (configured as they are) stands in.
 */
export function breakerSummaries(
  functions: Readonly<Record<string, FunctionBreakers>>,
  reference: CircuitBreakers,
): Record<ServiceName, BreakerSummary> {
  const summaries = {} as Record<ServiceName, BreakerSummary>;
  for (const service of SERVICE_NAMES) {
    let worst = breakerView(reference, service);
    let environments = 0;
    const notClosedIn: string[] = [];
    for (const fleet of Object.values(functions)) {
      for (const environment of fleet.environments) {
        const view = environment.breakers[service];
        if (view === undefined) continue;
        environments += 1;
        if (view.status !== 'CLOSED') notClosedIn.push(environment.environment);
        if (SEVERITY[view.status] > SEVERITY[worst.status] || (view.status === worst.status && view.failures > worst.failures))
          worst = view;
      }
    }
    summaries[service] = { ...worst, environments, notClosedIn };
  }
  return summaries;
}
