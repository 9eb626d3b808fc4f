import { expect } from 'chai';
import type { DependencyProbe } from '../../application/ports/dependency-probe.js';
import { ControlFleetFlow } from '../../application/use-cases/control-fleet-flow.js';
import { ManualClock } from '../support/manual-clock.js';
import { MemoryConsumptionSwitch } from '../../adapters/memory/memory-consumption-switch.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';

class ScriptedProbe implements DependencyProbe {
  up = false;
  calls = 0;
  probe(): Promise<void> {
    this.calls += 1;
    return this.up ? Promise.resolve() : Promise.reject(new Error('ServiceUnavailable'));
  }
}

describe('Class: ControlFleetFlow', () => {
  let clock: ManualClock;
  let consumption: MemoryConsumptionSwitch;
  let dependency: ScriptedProbe;
  let metrics: RecordingMetrics;
  let control: ControlFleetFlow;

  beforeEach(() => {
    clock = new ManualClock({ start: 1_700_000_000_000 });
    consumption = new MemoryConsumptionSwitch();
    dependency = new ScriptedProbe();
    metrics = new RecordingMetrics();
    control = new ControlFleetFlow(consumption, dependency, { probeEveryMs: 30_000 }, clock, new RecordingLogger(), metrics);
  });

  describe('Method: execute', () => {
    it('pauses the consumers on the signal, and a tick without a signal changes nothing while flowing', async () => {
      await control.execute();
      expect(consumption.isPaused()).to.equal(false);

      await control.execute({ dependencyDown: 'dynamodb' });

      expect(consumption.isPaused()).to.equal(true);
      expect(metrics.total('FleetPaused', { service: 'dynamodb' })).to.equal(1);
    });

    it('probes once per period for the whole fleet however often it ticks, and resumes on the first success', async () => {
      // Prepare: paused, the dependency down for 10 minutes
      await control.execute({ dependencyDown: 'dynamodb' });
      // Act: ticks every second (and the alarm firing again) for 10 minutes
      for (let second = 1; second <= 600; second++) {
        await clock.advance(1_000);
        await control.execute(second % 60 === 0 ? { dependencyDown: 'dynamodb' } : {});
      }
      const probesWhileDown = dependency.calls;
      dependency.up = true;
      for (let second = 1; second <= 30; second++) {
        await clock.advance(1_000);
        await control.execute();
      }
      // Assess: 600 s / 30 s = 20 probes, then one that succeeds
      expect(probesWhileDown).to.equal(20);
      expect(dependency.calls).to.equal(21);
      expect(consumption.isPaused()).to.equal(false);
      expect(consumption.flips()).to.equal(2);
      expect(metrics.total('FleetResumed')).to.equal(1);
    });

    it('leaves the state as it was when the switch fails, so the next tick tries again', async () => {
      let failing = true;
      const flaky = new MemoryConsumptionSwitch();
      const pause = flaky.pause.bind(flaky);
      flaky.pause = () => (failing ? Promise.reject(new Error('ResourceConflictException')) : pause());
      const guarded = new ControlFleetFlow(flaky, dependency, { probeEveryMs: 30_000 }, clock, new RecordingLogger(), metrics);

      await guarded.execute({ dependencyDown: 'dynamodb' }).catch(() => undefined);
      expect(guarded.current().status).to.equal('FLOWING');
      failing = false;
      await guarded.execute({ dependencyDown: 'dynamodb' });

      expect(guarded.current().status).to.equal('PAUSED');
      expect(flaky.isPaused()).to.equal(true);
    });
  });
});
