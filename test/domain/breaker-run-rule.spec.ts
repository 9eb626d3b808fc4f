import { expect } from 'chai';
import fc from 'fast-check';
import { failuresToOpen, INITIAL_BREAKER_STATE, transition, type BreakerState } from '../../domain/circuit-breaker/index.js';
import {
  CLEAN_RUN_MULTIPLE,
  RUN_RULE_MULTIPLE,
  SERVICE_BREAKER_SETTINGS,
  SERVICE_NAMES,
} from '../../application/config/breaker-defaults.js';
import { FAILURE, feed, repeat, seeded, SUCCESS, T0 } from './breaker-runs.fixtures.js';

describe('Module: circuit-breaker, the run rule (a total outage trips fast at any volume)', () => {
  for (const service of SERVICE_NAMES) {
    const settings = SERVICE_BREAKER_SETTINGS[service];
    const run = RUN_RULE_MULTIPLE * settings.failureThreshold;

    describe(`Service: ${service} (seed threshold ${settings.failureThreshold}, run ${run})`, () => {
      it(`is ${RUN_RULE_MULTIPLE} × the seed threshold, ${CLEAN_RUN_MULTIPLE} × from a clean window`, () => {
        expect(settings.volume?.consecutiveFailures).to.equal(run);
        expect(settings.volume?.cleanRunFailures).to.equal(CLEAN_RUN_MULTIPLE * settings.failureThreshold);
      });

      it(`opens within ${run} failures of a total outage after any history, at 100 to 1 000 calls a second`, () => {
        fc.assert(
          fc.property(fc.array(fc.boolean(), { maxLength: 120 }), fc.integer({ min: 1, max: 10 }), (history, gapMs) => {
            // Prepare: any history that left it CLOSED (a busy, healthy or mildly faulty spell)
            const before = feed(history, settings, gapMs);
            if (before.state.status !== 'CLOSED') return;
            // Act: every call fails from now on
            const outage = feed(repeat(true, 100), settings, gapMs, before.state, before.now);
            // Assess
            expect(outage.state.status).to.equal('OPEN');
            expect(outage.calls).to.be.at.most(run);
            expect(failuresToOpen(before.state, settings, before.now + gapMs)).to.be.at.most(run);
          }),
          { numRuns: 300 },
        );
      });

      it(`after a full window of successes the clean run decides (${CLEAN_RUN_MULTIPLE} × the threshold), where the long run took ${run} and the ratio alone 25 failures`, () => {
        const busy = feed(repeat(false, 50), settings, 2);
        const withRuns = feed(repeat(true, 100), settings, 2, busy.state, busy.now);
        const { cleanRunFailures: _clean, ...longRunOnly } = settings.volume!;
        const withLongRun = feed(repeat(true, 100), { ...settings, volume: longRunOnly }, 2, busy.state, busy.now);
        const { consecutiveFailures: _run, ...ratioOnly } = longRunOnly;
        const withoutRun = feed(repeat(true, 100), { ...settings, volume: ratioOnly }, 2, busy.state, busy.now);

        expect(withRuns).to.deep.include({ calls: CLEAN_RUN_MULTIPLE * settings.failureThreshold });
        expect(withRuns.state).to.deep.include({ status: 'OPEN', rule: 'run' });
        expect(withLongRun).to.deep.include({ calls: run });
        expect(withoutRun.calls).to.equal(25);
      });

      // From a busy start: a cold breaker whose very first calls all fail opens on the seed's count, by design.
      // The ratio rule itself opens about 0.5 times per million calls at 20 % (measured over 4 million):
      // the run rule must add nothing to that.
      it('20 % scattered faults never open it by the run rule (10 fault patterns × 40 000 calls at 500 calls a second)', function () {
        // 400 000 transitions: well under a second alone, several under coverage on a busy machine.
        this.timeout(60_000);
        const openings: Record<string, number> = {};
        fc.assert(
          fc.property(fc.integer(), (seed) => {
            const random = seeded(seed);
            let state = feed(repeat(false, settings.volume!.minimumCalls), settings, 2).state;
            let now = T0;
            for (let i = 0; i < 40_000; i++) {
              if (state.status === 'OPEN') {
                openings[state.rule] = (openings[state.rule] ?? 0) + 1;
                state = feed(repeat(false, settings.volume!.minimumCalls), settings, 2, INITIAL_BREAKER_STATE, now).state;
              }
              now += 2;
              state = transition(state, random() < 0.2 ? FAILURE : SUCCESS, settings, now);
            }
          }),
          { numRuns: 10, seed: 20_261_206 },
        );

        expect(openings['run'] ?? 0).to.equal(0);
        expect(Object.values(openings).reduce((a, b) => a + b, 0)).to.be.at.most(2);
      });
    });
  }

  it('opens exactly when a run of consecutiveFailures is reached, or of cleanRunFailures with no other failure among the last 50 calls, unless another rule opened it first', () => {
    const settings = SERVICE_BREAKER_SETTINGS.dynamodb;
    const { consecutiveFailures: longRun, cleanRunFailures: cleanRun, windowCalls } = settings.volume!;
    fc.assert(
      fc.property(
        // Spells of successes and runs of failures of any length: clean windows, dirty ones and long runs all occur.
        fc.array(fc.record({ failed: fc.boolean(), length: fc.integer({ min: 1, max: 60 }) }), { maxLength: 12 }),
        (spells) => {
          const calls = spells.flatMap(({ failed, length }) => [...repeat(failed, length)]);
          let state: BreakerState = INITIAL_BREAKER_STATE;
          let streak = 0;
          for (const [i, failed] of calls.entries()) {
            if (state.status !== 'CLOSED') return;
            streak = failed ? streak + 1 : 0;
            state = transition(state, failed ? FAILURE : SUCCESS, settings, T0 + i);
            // The reference: the last windowCalls calls hold no failure but the streak's.
            const window = calls.slice(Math.max(0, i + 1 - windowCalls), i + 1);
            const clean = window.filter(Boolean).length <= streak;
            const runHolds = streak >= longRun! || (streak >= cleanRun! && clean);
            if (runHolds) expect(state.status, `after ${i + 1}`).to.equal('OPEN');
            if (state.status === 'OPEN' && state.rule === 'run') expect(runHolds, `after ${i + 1}`).to.equal(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('a success ends the run: 11 failures, a success, 11 failures stay CLOSED after a busy spell whose window held a failure', () => {
    const settings = SERVICE_BREAKER_SETTINGS.dynamodb;
    const busy = feed([...repeat(false, 48), true, false], settings, 2);
    const pattern = [...repeat(true, 11), false, ...repeat(true, 11)];
    const after = feed(pattern, settings, 2, busy.state, busy.now);

    expect(after.state.status).to.equal('CLOSED');
  });

  it('from a clean window, the same pattern opens on the sixth failure of the first run', () => {
    const settings = SERVICE_BREAKER_SETTINGS.dynamodb;
    const busy = feed(repeat(false, 50), settings, 2);
    const pattern = [...repeat(true, 11), false, ...repeat(true, 11)];
    const after = feed(pattern, settings, 2, busy.state, busy.now);

    expect(after).to.deep.include({ calls: 6 });
    expect(after.state).to.deep.include({ status: 'OPEN', rule: 'run' });
  });
});
