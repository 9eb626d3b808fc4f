import { randomUUID } from 'node:crypto';
import type { Clock } from '../../application/ports/clock.js';
import type { DependencyProbe } from '../../application/ports/dependency-probe.js';
import type { IdempotencyStore } from '../../application/ports/idempotency-store.js';
import type { Logger } from '../../application/ports/logger.js';
import { ControlFleetFlow } from '../../application/use-cases/control-fleet-flow.js';
import { MemoryConsumptionSwitch } from '../../adapters/memory/memory-consumption-switch.js';
import type { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import type { ServiceName } from '../../application/config/breaker-defaults.js';
import type { FleetFlowState } from '../../domain/fleet-flow.js';
import { invoke } from '../emulation/lambda/invocation.js';
import { Schedule } from '../emulation/event-sources/schedule.js';

/** The function name the fleet pause's probes run under: `--fault-functions` reaches them by it. */
export const FLEET_PAUSE_FUNCTION = 'fleet-pause';
/** The key the probe reads: any answer, found or not, says DynamoDB is back. */
const PROBE_KEY = 'fleet-pause#probe';
const PROBE_TIMEOUT_MS = 5_000;

export interface FleetFlowControlOptions {
  readonly metrics: RecordingMetrics;
  readonly store: IdempotencyStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The recovery period of the watched dependency's breakers: one probe per period. */
  readonly probeEveryMs: number;
  /** How often the signal is read; deployed, the alarm's period (60 s) plays this part. */
  readonly tickEveryMs: number;
  /** The dependencies whose breakers pause the fleet: DynamoDB, the worker's store. */
  readonly watched?: readonly ServiceName[];
}

export interface FleetFlowView {
  readonly state: FleetFlowState;
  readonly pauses: number;
  readonly probes: number;
  readonly flips: number;
}

/**
 * Fleet flow control in the harness, as deployed but in one process: the signal is the breakers'
 * CircuitBreakerOpened metric (every environment of every function writes it, as the alarm reads it),
 * read each tick; the use case pauses the event sources through the in-memory switch, which the harness'
 * SQS event sources read before each receive; the probe is one GetItem through the fault decorators,
 * made in an invocation of its own (`fleet-pause`).
 */
export class FleetFlowControl {
  readonly consumption = new MemoryConsumptionSwitch();
  private readonly control: ControlFleetFlow;
  private readonly schedule: Schedule<FleetFlowState>;
  private readonly seen = new Map<ServiceName, number>();
  private readonly probeCount = { probes: 0, pauses: 0 };

  constructor(private readonly options: FleetFlowControlOptions) {
    const probe: DependencyProbe = {
      probe: async () => {
        this.probeCount.probes += 1;
        const end = await invoke({ functionName: FLEET_PAUSE_FUNCTION, requestId: randomUUID(), timeoutMs: PROBE_TIMEOUT_MS }, () =>
          options.store.get(PROBE_KEY, options.clock.now()),
        );
        if (end.kind !== 'returned') throw end.kind === 'threw' ? end.error : new Error(`probe ${end.kind}`);
      },
    };
    this.control = new ControlFleetFlow(
      this.consumption,
      probe,
      { probeEveryMs: options.probeEveryMs },
      options.clock,
      options.logger,
      options.metrics,
    );
    this.schedule = new Schedule(
      options.tickEveryMs,
      () => this.tick(),
      (error) => options.logger.warn('fleet flow control tick failed; the next tick tries again', { error: String(error) }),
    );
    for (const service of this.watched()) this.seen.set(service, options.metrics.total('CircuitBreakerOpened', { service }));
  }

  start(): void {
    this.schedule.start();
  }

  stop(): Promise<void> {
    return this.schedule.stop();
  }

  /** Read by the event sources before each receive. */
  isPaused(): boolean {
    return this.consumption.isPaused();
  }

  view(): FleetFlowView {
    return {
      state: this.control.current(),
      pauses: this.probeCount.pauses,
      probes: this.probeCount.probes,
      flips: this.consumption.flips(),
    };
  }

  /** One tick: a breaker of a watched dependency opened since the last one is the signal. */
  async tick(): Promise<FleetFlowState> {
    let down: ServiceName | undefined;
    for (const service of this.watched()) {
      const total = this.options.metrics.total('CircuitBreakerOpened', { service });
      if (total > (this.seen.get(service) ?? 0)) down ??= service;
      this.seen.set(service, total);
    }
    const before = this.control.current().status;
    const state = await this.control.execute(down === undefined ? {} : { dependencyDown: down });
    if (before === 'FLOWING' && state.status === 'PAUSED') this.probeCount.pauses += 1;
    return state;
  }

  private watched(): readonly ServiceName[] {
    return this.options.watched ?? ['dynamodb'];
  }
}
