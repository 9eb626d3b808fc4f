import { inject, injectable } from 'inversify';
import {
  acquire,
  assertValidBreakerSettings,
  countsAgainstHealth,
  failuresToOpen,
  INITIAL_BREAKER_STATE,
  isOpenAt,
  transition,
  type BreakerEvent,
  type BreakerSettings,
  type BreakerState,
  type BreakerStatus,
} from '../../domain/circuit-breaker/index.js';
import { SERVICE_BREAKER_SETTINGS, SERVICE_NAMES, type ServiceName } from '../config/breaker-defaults.js';
import type { ErrorCategory } from '../../domain/error-category.js';
import { classifyError } from '../../domain/error-classifier.js';
import { CircuitOpenError, PipelineError } from '../../domain/errors.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import { TOKENS } from '../tokens.js';
import { AdmissionGate } from './admission-gate.js';

export interface RunOptions<T> {
  /**
   * For ports that report failure in their result instead of throwing (partial batch results): the
   * category to record when `result` says the dependency failed, undefined when it answered.
   */
  readonly failureOf?: (result: T) => ErrorCategory | undefined;
}

/** How a finished call is judged. OWN: the pipeline's own error, which says nothing about the dependency. */
type Verdict = { readonly kind: 'SUCCESS' } | { readonly kind: 'FAILURE'; readonly category: ErrorCategory } | { readonly kind: 'OWN' };

interface Permit {
  /** Permitted while HALF_OPEN: it holds a probe slot until it reports. */
  readonly probe: boolean;
  /** The service's status generation when permitted; a probe from an ended HALF_OPEN spell holds no slot any more. */
  readonly generation: number;
  readonly startedAt: number;
  /** The admission gate's ticket for this call. */
  readonly ticket: number;
}

const STATUS_GAUGE: Readonly<Record<BreakerStatus, number>> = { CLOSED: 0, HALF_OPEN: 1, OPEN: 2 };

/**
 * The breakers of one execution environment, one per dependency. State lives in memory and spans warm
 * invocations on purpose (a dependency's health is not per request), so bind this as a singleton. The
 * domain decides every transition; this class stores the state, keeps the clock and reports changes.
 *
 * Retries belong to the SDK and the use cases, never here: a breaker counts one call, however many
 * attempts the SDK made inside it.
 *
 * Admission is concurrency-aware: no more calls go out at once than the failures the breaker still takes
 * before it opens, and HALF_OPEN admits its probes only; other callers wait for a call to end and ask
 * again (AdmissionGate). So a total outage costs an environment at most the opening rule's failures plus
 * the half-open probes, however many records a batch works at once.
 */
@injectable()
export class CircuitBreakers {
  private readonly settings: Record<ServiceName, BreakerSettings> = { ...SERVICE_BREAKER_SETTINGS };
  private readonly states = initialStates();
  private readonly generations: Record<ServiceName, number> = { dynamodb: 0, sqs: 0, eventbridge: 0 };
  private readonly gate = new AdmissionGate();

  constructor(
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
  ) {}

  /**
   * Calls `call` through the breaker of `service`. Throws CircuitOpenError without calling while the
   * breaker refuses; otherwise records how the call went and returns or rethrows its outcome unchanged.
   */
  async run<T>(service: ServiceName, call: () => Promise<T>, options: RunOptions<T> = {}): Promise<T> {
    const permit = await this.permit(service);
    let result: T;
    try {
      result = await call();
    } catch (error) {
      this.settle(service, permit, verdictOnThrown(error));
      throw error;
    }
    const category = options.failureOf?.(result);
    this.settle(service, permit, category === undefined ? { kind: 'SUCCESS' } : { kind: 'FAILURE', category });
    return result;
  }

  state(service: ServiceName): BreakerState {
    return this.states[service];
  }

  /** True while calls to `service` are refused outright: OPEN and not yet due for a probe. */
  isOpen(service: ServiceName): boolean {
    return isOpenAt(this.states[service], this.settings[service], this.clock.now());
  }

  /** How long until a call to `service` may be permitted; 0 when one would be now. */
  retryAfterMs(service: ServiceName): number {
    return acquire(this.states[service], this.settings[service], this.clock.now()).retryAfterMs;
  }

  snapshot(): Readonly<Record<ServiceName, BreakerState>> {
    return { ...this.states };
  }

  settingsOf(service: ServiceName): BreakerSettings {
    return this.settings[service];
  }

  /** Overrides settings per service (tests, the local harness). Takes effect on the next call. */
  configure(settings: Partial<Record<ServiceName, BreakerSettings>>): void {
    for (const service of SERVICE_NAMES) {
      const override = settings[service];
      if (override === undefined) continue;
      assertValidBreakerSettings(override, service);
      this.settings[service] = override;
      this.gate.wake(service);
    }
  }

  /** Calls to `service` that were admitted and have not ended yet. */
  inFlight(service: ServiceName): number {
    return this.gate.inFlightTo(service, this.clock.now());
  }

  /** Forgets what was learned about `service` (or every service): CLOSED with no failures. */
  reset(service?: ServiceName): void {
    for (const name of service === undefined ? SERVICE_NAMES : [service]) {
      this.store(name, INITIAL_BREAKER_STATE);
      this.gate.wake(name);
    }
  }

  /**
   * Waits, while calls are in flight, until this call may go out without exceeding what the breaker
   * still tolerates; throws CircuitOpenError as soon as the breaker refuses outright.
   */
  private async permit(service: ServiceName): Promise<Permit> {
    for (;;) {
      const now = this.clock.now();
      const state = this.states[service];
      const settings = this.settings[service];
      const result = acquire(state, settings, now);
      const inFlight = this.gate.inFlightTo(service, now);
      const busy = inFlight > 0;
      // Only whether the calls in flight are fewer than the failures it still takes matters: nothing in
      // flight always is (≥ 1 while CLOSED), and otherwise counting up to inFlight + 1 failures answers it.
      const withinBudget = result.state.status !== 'CLOSED' || !busy || inFlight < failuresToOpen(state, settings, now, inFlight + 1);
      if (result.permitted && withinBudget) {
        this.store(service, result.state);
        const ticket = this.gate.enter(service, now);
        return { probe: result.state.status === 'HALF_OPEN', generation: this.generations[service], startedAt: now, ticket };
      }
      if (result.state.status === 'OPEN' || !busy) {
        this.store(service, result.state);
        this.metrics.add('CircuitBreakerRejected', 1, 'Count', { service });
        throw new CircuitOpenError(service, result.retryAfterMs);
      }
      // HALF_OPEN with its probes out, or CLOSED with as many calls out as failures it still takes:
      // the verdict of a call in flight decides whether this one goes.
      await this.gate.nextVerdict(service);
    }
  }

  private settle(service: ServiceName, permit: Permit, verdict: Verdict): void {
    const now = this.clock.now();
    const event = this.eventFor(service, permit, verdict, now - permit.startedAt);
    if (event !== undefined) this.store(service, transition(this.states[service], event, this.settings[service], now));
    this.gate.leave(service, permit.ticket);
  }

  private eventFor(service: ServiceName, permit: Permit, verdict: Verdict, durationMs: number): BreakerEvent | undefined {
    if (verdict.kind === 'SUCCESS') return { type: 'SUCCESS', durationMs };
    if (verdict.kind === 'FAILURE' && countsAgainstHealth(verdict.category))
      return { type: 'FAILURE', category: verdict.category, durationMs };
    // A failure that says nothing about health only has to give back the probe slot, and only a probe
    // of the HALF_OPEN spell still running holds one: an older probe's slot went when that spell ended.
    const holdsSlot = permit.probe && permit.generation === this.generations[service];
    return holdsSlot ? { type: 'RELEASE' } : undefined;
  }

  private store(service: ServiceName, next: BreakerState): void {
    const previous = this.states[service];
    this.states[service] = next;
    if (previous.status === next.status) return;
    this.generations[service] += 1;
    // `dependency`, not `service`: the logger's own `service` field names this pipeline.
    const rule = next.status === 'OPEN' ? { rule: next.rule } : {};
    this.logger.warn('circuit breaker state changed', { dependency: service, from: previous.status, to: next.status, ...rule });
    this.metrics.add('CircuitBreakerState', STATUS_GAUGE[next.status], 'None', { service });
    if (next.status === 'OPEN') {
      // The per-service count stays as the dashboard and alarms read it; the rule gets a metric of its own.
      // Per second: the fleet pause's alarm reads it in 10 s periods, so the pause comes within seconds.
      this.metrics.add('CircuitBreakerOpened', 1, 'Count', { service }, 'high');
      this.metrics.add('CircuitBreakerOpenedByRule', 1, 'Count', { service, rule: next.rule });
    }
  }
}

function initialStates(): Record<ServiceName, BreakerState> {
  return { dynamodb: INITIAL_BREAKER_STATE, sqs: INITIAL_BREAKER_STATE, eventbridge: INITIAL_BREAKER_STATE };
}

/**
 * Errors the pipeline raised itself (a lost lease, another breaker's fast-fail) say nothing about the
 * dependency. A PipelineError that wraps a foreign cause is an adapter's translation of the dependency's
 * own failure, so its category is what the adapter classified.
 */
function verdictOnThrown(error: unknown): Verdict {
  if (error instanceof PipelineError) {
    const translatesForeignFailure = error.cause !== undefined && !(error.cause instanceof PipelineError);
    return translatesForeignFailure ? { kind: 'FAILURE', category: error.category } : { kind: 'OWN' };
  }
  return { kind: 'FAILURE', category: classifyError(error).category };
}
