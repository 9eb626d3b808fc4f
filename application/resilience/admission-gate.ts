import type { ServiceName } from '../config/breaker-defaults.js';

/**
 * A call still in flight after this long no longer counts against admission. An invocation that timed
 * out or crashed can leave a call that never settles (the local harness halts such an invocation's calls
 * for good; on Lambda a timed-out environment is restarted): without this, each one would lower the
 * breaker's admission for good, and at low volume three of them would stop every call. A call slower than
 * this (an AWS call with its SDK attempts takes up to about 7 s here) merely stops holding back others.
 */
export const STALE_IN_FLIGHT_MS = 5_000;

/**
 * A waiting caller asks again at least this often (real time), since a stale call never ends and so never
 * wakes anyone. The timer is unref'd and cleared as soon as a verdict wakes the caller.
 */
export const RECHECK_MS = 500;

/**
 * The calls of one execution environment that are in flight to each dependency, and the callers waiting
 * for one of them to end. The breaker admits no more calls at once than the failures it still takes before
 * opening (domain: failuresToOpen), so a batch's concurrent calls to a dependency that has just failed go
 * out one at a time until the verdict: a success lets the rest through, an opening turns them away.
 */
export class AdmissionGate {
  private sequence = 0;
  private readonly inFlight: Record<ServiceName, Map<number, number>> = { dynamodb: new Map(), sqs: new Map(), eventbridge: new Map() };
  private readonly waiting: Record<ServiceName, Array<() => void>> = { dynamodb: [], sqs: [], eventbridge: [] };

  /** Calls to `service` admitted and not yet ended, leaving out those stale at `now`. */
  inFlightTo(service: ServiceName, now: number): number {
    let count = 0;
    for (const startedAt of this.inFlight[service].values()) if (now - startedAt < STALE_IN_FLIGHT_MS) count++;
    return count;
  }

  /** Records an admitted call; the returned ticket ends it. */
  enter(service: ServiceName, now: number): number {
    this.sequence += 1;
    this.inFlight[service].set(this.sequence, now);
    return this.sequence;
  }

  /** A call ended: every waiter asks again, since the breaker's state may have changed. */
  leave(service: ServiceName, ticket: number): void {
    this.inFlight[service].delete(ticket);
    this.wake(service);
  }

  /** Resolves when a call to `service` ends (or the breakers are reset or reconfigured), or after RECHECK_MS. */
  nextVerdict(service: ServiceName): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, RECHECK_MS);
      timer.unref();
      this.waiting[service].push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  wake(service: ServiceName): void {
    const waiters = this.waiting[service];
    this.waiting[service] = [];
    for (const resolve of waiters) resolve();
  }
}
