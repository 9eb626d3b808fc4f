import { inject, injectable } from 'inversify';
import type { ServiceName } from '../config/breaker-defaults.js';
import {
  assertValidFleetFlowSettings,
  INITIAL_FLEET_FLOW,
  probeDue,
  transitionFleetFlow,
  type FleetFlowSettings,
  type FleetFlowState,
} from '../../domain/fleet-flow.js';
import type { Clock } from '../ports/clock.js';
import type { ConsumptionSwitch } from '../ports/consumption-switch.js';
import type { DependencyProbe } from '../ports/dependency-probe.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import { TOKENS } from '../tokens.js';

export interface FleetFlowInput {
  /** The fleet-wide signal: a dependency's breakers opened (the alarm on CircuitBreakerOpened). Absent on a plain tick. */
  readonly dependencyDown?: ServiceName;
}

/**
 * Fleet flow control (domain/fleet-flow.ts decides): a signal that a dependency is down pauses the fleet's
 * consumption; each tick after that probes the dependency once per period, and the first success resumes
 * it. Run by one caller at a time (the harness' schedule; deployed, the fleet-pause state machine does the
 * same steps): the probe is single by construction, so no lease is needed.
 *
 * A pause or resume that fails leaves the state as it was, and the next tick tries again: the switch is
 * idempotent.
 */
@injectable()
export class ControlFleetFlow {
  private state: FleetFlowState = INITIAL_FLEET_FLOW;

  constructor(
    @inject(TOKENS.ConsumptionSwitch) private readonly consumption: ConsumptionSwitch,
    @inject(TOKENS.DependencyProbe) private readonly dependency: DependencyProbe,
    @inject(TOKENS.FleetFlowSettings) private readonly settings: FleetFlowSettings,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
  ) {
    assertValidFleetFlowSettings(settings);
  }

  current(): FleetFlowState {
    return this.state;
  }

  async execute(input: FleetFlowInput = {}): Promise<FleetFlowState> {
    if (input.dependencyDown !== undefined && this.state.status === 'FLOWING') {
      const next = transitionFleetFlow(
        this.state,
        { type: 'DEPENDENCY_DOWN', service: input.dependencyDown },
        this.settings,
        this.clock.now(),
      );
      await this.consumption.pause();
      this.state = next;
      this.metrics.add('FleetPaused', 1, 'Count', { service: input.dependencyDown });
      this.logger.warn('fleet paused: a dependency is down; messages wait in the queue until a probe succeeds', {
        service: input.dependencyDown,
      });
      return this.state;
    }
    const paused = this.state;
    if (paused.status !== 'PAUSED' || !probeDue(paused, this.clock.now())) return this.state;
    this.metrics.add('FleetProbes', 1, 'Count', { service: paused.service });
    let answered = true;
    try {
      // The state holds the name DEPENDENCY_DOWN was given above: one of SERVICE_NAMES.
      await this.dependency.probe(paused.service as ServiceName);
    } catch (error) {
      answered = false;
      this.logger.info('fleet stays paused: the probe failed', {
        service: paused.service,
        error: error instanceof Error ? error.message : String(error),
      });
    }
    const now = this.clock.now();
    if (!answered) {
      this.state = transitionFleetFlow(paused, { type: 'PROBE_FAILED' }, this.settings, now);
      return this.state;
    }
    await this.consumption.resume();
    this.state = transitionFleetFlow(paused, { type: 'PROBE_SUCCEEDED' }, this.settings, now);
    this.metrics.add('FleetResumed', 1, 'Count', { service: paused.service });
    this.logger.info('fleet resumed: the probe succeeded', {
      service: paused.service,
      pausedForMs: now - paused.since,
      failedProbes: paused.probes,
    });
    return this.state;
  }
}
