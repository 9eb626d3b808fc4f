import type { ServiceName } from '../../domain/circuit-breaker.js';

/**
 * The calls of one execution environment that are in flight to each dependency, and the callers waiting
 * for one of them to end. The breaker admits no more calls at once than the failures it still takes before
 * opening (domain: failuresToOpen), so a batch's concurrent calls to a dependency that has just failed go
 * out one at a time until the verdict: a success lets the rest through, an opening turns them away.
 */
export class AdmissionGate {
  private readonly inFlight: Record<ServiceName, number> = { dynamodb: 0, sqs: 0, eventbridge: 0 };
  private readonly waiting: Record<ServiceName, Array<() => void>> = { dynamodb: [], sqs: [], eventbridge: [] };

  inFlightTo(service: ServiceName): number {
    return this.inFlight[service];
  }

  enter(service: ServiceName): void {
    this.inFlight[service] += 1;
  }

  /** A call ended: every waiter asks again, since the breaker's state may have changed. */
  leave(service: ServiceName): void {
    this.inFlight[service] = Math.max(0, this.inFlight[service] - 1);
    this.wake(service);
  }

  /** Resolves when a call to `service` ends (or the breakers are reset or reconfigured). */
  nextVerdict(service: ServiceName): Promise<void> {
    return new Promise((resolve) => this.waiting[service].push(resolve));
  }

  wake(service: ServiceName): void {
    const waiters = this.waiting[service];
    this.waiting[service] = [];
    for (const resolve of waiters) resolve();
  }
}
