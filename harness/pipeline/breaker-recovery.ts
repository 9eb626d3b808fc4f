import type { CircuitBreakers } from '../../application/resilience/circuit-breakers.js';
import { SERVICE_NAMES } from '../../application/config/breaker-defaults.js';

/** One recovery time (and failure window) for every breaker, thresholds kept: short runs can watch them close. */
export function shortenBreakerRecovery(breakers: CircuitBreakers, recoveryMs: number): void {
  breakers.configure(
    Object.fromEntries(
      SERVICE_NAMES.map((service) => {
        const settings = breakers.settingsOf(service);
        return [
          service,
          {
            ...settings,
            recoveryTimeoutMs: recoveryMs,
            ...(settings.failureWindowMs === undefined ? {} : { failureWindowMs: recoveryMs }),
          },
        ];
      }),
    ),
  );
}
