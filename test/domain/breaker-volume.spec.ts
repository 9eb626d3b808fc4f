import { expect } from 'chai';
import fc from 'fast-check';
import { figuresOf, isCallWindow, volumeRuleProblems } from '../../domain/circuit-breaker/index.js';
import {
  assertValidBreakerSettings,
  failuresToOpen,
  INITIAL_BREAKER_STATE,
  isBreakerState,
  transition,
  type BreakerSettings,
  type BreakerState,
} from '../../domain/circuit-breaker/index.js';
import { SERVICE_BREAKER_SETTINGS } from '../../application/config/breaker-defaults.js';
import { PermanentError } from '../../domain/errors.js';
import { T0, VOLUME, SETTINGS, SUCCESS, FAILURE, run, successes, failures } from './breaker-volume.fixtures.js';

describe('Module: circuit-breaker, the volume rule', () => {
  describe('Function: transition', () => {
    it('keeps the seed count rule below the minimum number of calls (3 counted failures in a row)', () => {
      expect(run(failures(3))).to.deep.include({ status: 'OPEN', rule: 'count' });
      expect(run([...successes(3), ...failures(3)])).to.deep.include({ status: 'OPEN', rule: 'count' });
    });

    it('does not open on 3 failures in a row that are a minority of a busy start (a partial fault)', () => {
      expect(run([...successes(10), ...failures(3)]).status).to.equal('CLOSED');
    });

    it('does not open on 3 failures in a row at volume: the ratio decides there', () => {
      const state = run([...successes(30), ...failures(3)]);

      expect(state.status).to.equal('CLOSED');
    });

    it('opens on the failure ratio at volume and says so', () => {
      const state = run([...successes(25), ...failures(25)]);

      expect(state).to.deep.include({ status: 'OPEN', rule: 'ratio', openedAt: T0 + 49 });
    });

    it('opens on the slow-call ratio when configured', () => {
      const settings: BreakerSettings = { ...SETTINGS, volume: { ...VOLUME, slowCallMs: 1_000, slowCallRatio: 0.8 } };
      let state: BreakerState = INITIAL_BREAKER_STATE;
      for (let i = 0; i < 20 && state.status === 'CLOSED'; i++)
        state = transition(state, { type: 'SUCCESS', durationMs: 2_000 }, settings, T0 + i);

      expect(state).to.deep.include({ status: 'OPEN', rule: 'slow' });
    });

    it('drops samples older than the window: a thawed environment does not trip on old failures', () => {
      const before = run([...successes(10), ...failures(2)]);
      const later = transition(before, FAILURE, SETTINGS, T0 + SETTINGS.failureWindowMs! + 1_000);

      expect(later.status).to.equal('CLOSED');
      expect(later.status === 'CLOSED' ? figuresOf(later.window ?? []) : undefined).to.deep.equal({ calls: 1, failures: 1, slow: 0 });
    });

    it('closes on a probe success with a fresh window, and a failed probe reopens with rule probe', () => {
      expect(transition({ status: 'HALF_OPEN', probesInFlight: 1 }, SUCCESS, SETTINGS, T0)).to.deep.equal(INITIAL_BREAKER_STATE);
      expect(transition({ status: 'HALF_OPEN', probesInFlight: 1 }, FAILURE, SETTINGS, T0)).to.deep.equal({
        status: 'OPEN',
        openedAt: T0,
        rule: 'probe',
      });
    });
  });

  describe('Function: failuresToOpen', () => {
    it('is the count rule at low volume and the ratio rule at volume, 0 unless CLOSED', () => {
      expect(failuresToOpen(INITIAL_BREAKER_STATE, SETTINGS, T0)).to.equal(3);
      expect(failuresToOpen(run([true]), SETTINGS, T0 + 1)).to.equal(2);
      expect(failuresToOpen(run(successes(50)), SETTINGS, T0 + 50)).to.equal(25);
      expect(failuresToOpen({ status: 'OPEN', openedAt: T0, rule: 'count' }, SETTINGS, T0)).to.equal(0);
    });

    it('answers what feeding transition one failure at a time at the same instant answers (any settings, history and gap)', () => {
      /** The definition: count TRANSIENT failures at `now` through the transition function until it opens. */
      const reference = (state: BreakerState, settings: BreakerSettings, now: number): number => {
        if (state.status !== 'CLOSED') return 0;
        const limit = settings.failureThreshold + (settings.volume?.windowCalls ?? 0);
        let current: BreakerState = state;
        for (let k = 1; k <= limit; k++) {
          current = transition(current, FAILURE, settings, now);
          if (current.status === 'OPEN') return k;
        }
        return limit;
      };
      const volume = fc.option(
        fc.record({
          failureRatio: fc.constantFrom(0.1, 0.25, 0.5, 0.9, 1),
          minimumCalls: fc.integer({ min: 1, max: 12 }),
          extraCalls: fc.integer({ min: 0, max: 12 }),
          windowMs: fc.constantFrom(5, 50, 30_000),
          slow: fc.option(fc.record({ slowCallMs: fc.constantFrom(1, 10), slowCallRatio: fc.constantFrom(0.2, 0.5, 1) }), {
            nil: undefined,
          }),
          consecutiveFailures: fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined }),
          cleanRunFailures: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        }),
        { nil: undefined },
      );
      const settingsArb = fc
        .record({
          failureThreshold: fc.integer({ min: 1, max: 6 }),
          failureWindowMs: fc.option(fc.constantFrom(5, 40, 30_000), { nil: undefined }),
          volume,
        })
        .map(({ failureThreshold, failureWindowMs, volume: v }): BreakerSettings => ({
          failureThreshold,
          recoveryTimeoutMs: 1_000,
          halfOpenMaxProbes: 1,
          ...(failureWindowMs === undefined ? {} : { failureWindowMs }),
          ...(v === undefined
            ? {}
            : {
                volume: {
                  failureRatio: v.failureRatio,
                  minimumCalls: v.minimumCalls,
                  windowCalls: v.minimumCalls + v.extraCalls,
                  windowMs: v.windowMs,
                  ...(v.slow ?? {}),
                  ...(v.consecutiveFailures === undefined ? {} : { consecutiveFailures: v.consecutiveFailures }),
                  ...(v.cleanRunFailures === undefined ? {} : { cleanRunFailures: v.cleanRunFailures }),
                },
              }),
        }));
      const step = fc.record({ failed: fc.boolean(), durationMs: fc.integer({ min: 0, max: 20 }), gapMs: fc.integer({ min: 0, max: 30 }) });
      fc.assert(
        fc.property(settingsArb, fc.array(step, { maxLength: 80 }), fc.integer({ min: -20, max: 100 }), (settings, history, lastGap) => {
          let state: BreakerState = INITIAL_BREAKER_STATE;
          let now = T0;
          for (const { failed, durationMs, gapMs } of history) {
            now += gapMs;
            if (state.status !== 'CLOSED') break;
            state = transition(state, failed ? { ...FAILURE, durationMs } : { type: 'SUCCESS', durationMs }, settings, now);
          }
          const at = now + lastGap;
          expect(failuresToOpen(state, settings, at)).to.equal(reference(state, settings, at));
        }),
        { numRuns: 3_000 },
      );
    });

    it('with atMost, is the uncapped answer capped at atMost (at least 1 while CLOSED)', () => {
      fc.assert(
        fc.property(fc.array(fc.boolean(), { maxLength: 200 }), fc.integer({ min: 0, max: 60 }), (history, atMost) => {
          const state = run(history);
          const now = T0 + history.length;
          const uncapped = failuresToOpen(state, SETTINGS, now);
          const expected = state.status === 'CLOSED' ? Math.min(uncapped, Math.max(1, atMost)) : 0;
          expect(failuresToOpen(state, SETTINGS, now, atMost)).to.equal(expected);
        }),
      );
    });
  });

  describe('Function: assertValidBreakerSettings', () => {
    for (const volume of [
      { ...VOLUME, failureRatio: 0 },
      { ...VOLUME, failureRatio: 1.5 },
      { ...VOLUME, minimumCalls: 0 },
      { ...VOLUME, windowCalls: 10 },
      { ...VOLUME, windowMs: 0 },
      { ...VOLUME, slowCallMs: 100 },
      { ...VOLUME, consecutiveFailures: 0 },
      { ...VOLUME, consecutiveFailures: 2.5 },
      { ...VOLUME, cleanRunFailures: 0 },
      { ...VOLUME, cleanRunFailures: 1.5 },
    ]) {
      it(`refuses ${JSON.stringify(volume)}`, () => {
        expect(() => assertValidBreakerSettings({ ...SETTINGS, volume })).to.throw(PermanentError);
      });
    }

    it('accepts the service defaults', () => {
      for (const settings of Object.values(SERVICE_BREAKER_SETTINGS)) expect(volumeRuleProblems(settings.volume!)).to.deep.equal([]);
    });
  });

  describe('Function: isBreakerState', () => {
    it('accepts a CLOSED state with a window and refuses a malformed window or an OPEN without its rule', () => {
      expect(isBreakerState(run([false, true]))).to.equal(true);
      expect(isBreakerState({ status: 'CLOSED', failures: 0, window: [{ at: 'x' }] })).to.equal(false);
      expect(isBreakerState({ status: 'OPEN', openedAt: T0 })).to.equal(false);
      expect(isCallWindow('nope')).to.equal(false);
      expect(isCallWindow([null])).to.equal(false);
    });
  });
});
