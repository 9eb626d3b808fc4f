import { expect } from 'chai';
import fc from 'fast-check';
import { pruneWindow } from '../../domain/circuit-breaker/index.js';
import {
  acquire,
  failuresToOpen,
  INITIAL_BREAKER_STATE,
  transition,
  type BreakerSettings,
  type BreakerState,
} from '../../domain/circuit-breaker/index.js';
import { T0, VOLUME, SETTINGS, SUCCESS, FAILURE, run, successes, failures } from './breaker-volume.fixtures.js';

describe('Module: circuit-breaker, the volume rule', () => {
  describe('Properties', () => {
    const outcomes = fc.array(fc.boolean(), { maxLength: 200 });

    it('ratio: at volume, opens exactly when the window reaches the failure ratio', () => {
      fc.assert(
        fc.property(
          outcomes,
          fc.integer({ min: 1, max: 10 }).map((n) => n / 10),
          (seq, ratio) => {
            const settings: BreakerSettings = { ...SETTINGS, volume: { ...VOLUME, failureRatio: ratio } };
            let state: BreakerState = INITIAL_BREAKER_STATE;
            let window: boolean[] = [];
            for (const [i, failed] of seq.entries()) {
              if (state.status !== 'CLOSED') return;
              const lowVolumeRun = state.failures;
              state = transition(state, failed ? FAILURE : SUCCESS, settings, T0 + i);
              window = [...window, failed].slice(-VOLUME.windowCalls);
              const atVolume = window.length >= VOLUME.minimumCalls;
              const ratioReached = window.filter(Boolean).length / window.length >= ratio;
              const countReached = failed && lowVolumeRun + 1 >= settings.failureThreshold && ratioReached;
              const shouldOpen = failed && (atVolume ? ratioReached : countReached);
              expect(state.status === 'OPEN', `after ${i + 1}`).to.equal(shouldOpen);
              if (state.status === 'OPEN') expect(state.rule).to.equal(atVolume ? 'ratio' : 'count');
            }
          },
        ),
      );
    });

    it('minimum throughput: below minimumCalls only the count rule opens it, on N failures in a row that are at least the ratio', () => {
      fc.assert(
        fc.property(fc.array(fc.boolean(), { maxLength: VOLUME.minimumCalls - 1 }), (seq) => {
          const state = run(seq);
          let streak = 0;
          let shouldOpen = false;
          for (const [i, failed] of seq.entries()) {
            streak = failed ? streak + 1 : 0;
            const share = seq.slice(0, i + 1).filter(Boolean).length / (i + 1);
            if (streak >= SETTINGS.failureThreshold && share >= VOLUME.failureRatio) {
              shouldOpen = true;
              break;
            }
          }
          expect(state.status === 'OPEN').to.equal(shouldOpen);
          if (state.status === 'OPEN') expect(state.rule).to.equal('count');
        }),
      );
    });

    it('the seed count rule, exactly, for a breaker with no success in its window (cold, idle, or just recovered)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 120_000 }), (earlier, idle) => {
          // Prepare: some successes, then an idle gap longer than the window drops them
          const before = run(successes(earlier));
          const start = T0 + earlier + idle;
          const fresh = idle > VOLUME.windowMs;
          // Act: failures in a row after the gap
          let state = before;
          let opened = 0;
          for (let k = 1; k <= SETTINGS.failureThreshold && state.status === 'CLOSED'; k++) {
            state = transition(state, FAILURE, SETTINGS, start + k);
            if (state.status === 'OPEN') opened = k;
          }
          // Assess
          if (fresh || earlier === 0) expect(opened).to.equal(SETTINGS.failureThreshold);
        }),
      );
    });

    it('window slide: samples beyond windowCalls or older than windowMs never count', () => {
      fc.assert(
        fc.property(outcomes, fc.integer({ min: 0, max: 120_000 }), (seq, gap) => {
          const window = seq.map((failed, i) => ({ at: T0 + i, failed, slow: false }));
          const now = T0 + seq.length + gap;
          const pruned = pruneWindow(window, VOLUME, now);
          expect(pruned.length).to.be.at.most(VOLUME.windowCalls);
          for (const sample of pruned) expect(now - sample.at).to.be.at.most(VOLUME.windowMs);
          expect(pruned).to.deep.equal(window.filter((s) => now - s.at <= VOLUME.windowMs).slice(-VOLUME.windowCalls));
        }),
      );
    });

    it('half-open: after opening by any rule, at most halfOpenMaxProbes calls are permitted until a probe reports', () => {
      fc.assert(
        fc.property(outcomes, fc.integer({ min: 1, max: 3 }), (seq, probes) => {
          const settings: BreakerSettings = { ...SETTINGS, halfOpenMaxProbes: probes };
          const opened = run([...seq, ...failures(VOLUME.windowCalls)], settings);
          expect(opened.status).to.equal('OPEN');
          let state = opened;
          let permitted = 0;
          for (let i = 0; i < 10; i++) {
            const result = acquire(state, settings, T0 + 1_000_000);
            state = result.state;
            if (result.permitted) permitted++;
          }
          expect(permitted).to.equal(probes);
        }),
      );
    });

    it('outage price: admitting no more calls than failuresToOpen bounds the calls made before it opens', () => {
      fc.assert(
        fc.property(outcomes, fc.integer({ min: 1, max: 10 }), (history, concurrency) => {
          let state = run(history);
          if (state.status !== 'CLOSED') return;
          const now = T0 + history.length;
          const budget = failuresToOpen(state, SETTINGS, now);
          let inFlight = 0;
          let calls = 0;
          // Every call fails; each round admits what the gate allows, then one in-flight call fails.
          while (state.status === 'CLOSED') {
            while (inFlight < Math.min(concurrency, failuresToOpen(state, SETTINGS, now))) {
              inFlight++;
              calls++;
            }
            state = transition(state, FAILURE, SETTINGS, now);
            inFlight--;
          }
          expect(calls).to.be.at.most(budget);
        }),
      );
    });
  });
});
