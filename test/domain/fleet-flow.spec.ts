import { expect } from 'chai';
import fc from 'fast-check';
import { PermanentError } from '../../domain/errors.js';
import {
  assertValidFleetFlowSettings,
  INITIAL_FLEET_FLOW,
  probeDue,
  transitionFleetFlow,
  type FleetFlowEvent,
  type FleetFlowState,
} from '../../domain/fleet-flow.js';

const T0 = 1_700_000_000_000;
const SETTINGS = { probeEveryMs: 30_000 };

describe('Module: fleet-flow', () => {
  describe('Function: transitionFleetFlow', () => {
    it('pauses on a dependency going down, with its first probe one period later', () => {
      expect(transitionFleetFlow(INITIAL_FLEET_FLOW, { type: 'DEPENDENCY_DOWN', service: 'dynamodb' }, SETTINGS, T0)).to.deep.equal({
        status: 'PAUSED',
        since: T0,
        service: 'dynamodb',
        nextProbeAt: T0 + 30_000,
        probes: 0,
      });
    });

    it('stays paused on a failed probe, the next one a period later, and resumes on a successful one', () => {
      const paused = transitionFleetFlow(INITIAL_FLEET_FLOW, { type: 'DEPENDENCY_DOWN', service: 'dynamodb' }, SETTINGS, T0);
      const failed = transitionFleetFlow(paused, { type: 'PROBE_FAILED' }, SETTINGS, T0 + 30_000);

      expect(failed).to.deep.include({ status: 'PAUSED', since: T0, nextProbeAt: T0 + 60_000, probes: 1 });
      expect(transitionFleetFlow(failed, { type: 'PROBE_SUCCEEDED' }, SETTINGS, T0 + 60_000)).to.deep.equal(INITIAL_FLEET_FLOW);
    });

    it('ignores a second signal while paused and a late probe answer while flowing', () => {
      const paused = transitionFleetFlow(INITIAL_FLEET_FLOW, { type: 'DEPENDENCY_DOWN', service: 'dynamodb' }, SETTINGS, T0);

      expect(transitionFleetFlow(paused, { type: 'DEPENDENCY_DOWN', service: 'eventbridge' }, SETTINGS, T0 + 5)).to.equal(paused);
      expect(transitionFleetFlow(INITIAL_FLEET_FLOW, { type: 'PROBE_FAILED' }, SETTINGS, T0)).to.equal(INITIAL_FLEET_FLOW);
    });
  });

  describe('Properties', () => {
    const event = fc.constantFrom<FleetFlowEvent>(
      { type: 'DEPENDENCY_DOWN', service: 'dynamodb' },
      { type: 'PROBE_SUCCEEDED' },
      { type: 'PROBE_FAILED' },
    );

    it('probes at most once per period while paused, whatever the ticks, and only a probe success resumes', () => {
      fc.assert(
        fc.property(
          fc.array(fc.record({ event, gapMs: fc.integer({ min: 0, max: 20_000 }), probeOk: fc.boolean() }), { maxLength: 200 }),
          (steps) => {
            let state: FleetFlowState = INITIAL_FLEET_FLOW;
            let now = T0;
            let lastProbeAt: number | undefined;
            for (const { event: e, gapMs, probeOk } of steps) {
              now += gapMs;
              if (probeDue(state, now)) {
                if (lastProbeAt !== undefined && state.status === 'PAUSED') expect(now - lastProbeAt).to.be.at.least(SETTINGS.probeEveryMs);
                lastProbeAt = now;
                const before = state;
                state = transitionFleetFlow(state, { type: probeOk ? 'PROBE_SUCCEEDED' : 'PROBE_FAILED' }, SETTINGS, now);
                expect(state.status).to.equal(probeOk ? 'FLOWING' : 'PAUSED');
                if (probeOk) lastProbeAt = undefined;
                expect(before.status).to.equal('PAUSED');
              }
              const was: FleetFlowState['status'] = state.status;
              state = transitionFleetFlow(state, e, SETTINGS, now);
              if (was === 'PAUSED' && state.status === 'FLOWING') expect(e.type).to.equal('PROBE_SUCCEEDED');
              if (state.status === 'PAUSED') expect(state.nextProbeAt).to.be.greaterThan(state.since);
            }
          },
        ),
      );
    });
  });

  describe('Function: assertValidFleetFlowSettings', () => {
    for (const probeEveryMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      it(`refuses probeEveryMs ${probeEveryMs}`, () => {
        expect(() => assertValidFleetFlowSettings({ probeEveryMs })).to.throw(PermanentError);
      });
    }
  });
});
