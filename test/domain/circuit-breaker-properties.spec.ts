import { expect } from 'chai';
import fc from 'fast-check';
import {
  acquire,
  INITIAL_BREAKER_STATE,
  isBreakerState,
  transition,
  type BreakerEvent,
  type BreakerSettings,
  type BreakerState,
} from '../../domain/circuit-breaker/index.js';
import { ERROR_CATEGORIES } from '../../domain/error-category.js';
import { IllegalTransitionError } from '../../domain/errors.js';
import { T0, TRIPPING, NOT_TRIPPING, failure } from './circuit-breaker.fixtures.js';

describe('Module: circuit-breaker', () => {
  describe('Properties', () => {
    const settingsArb: fc.Arbitrary<BreakerSettings> = fc.record(
      {
        failureThreshold: fc.integer({ min: 1, max: 6 }),
        recoveryTimeoutMs: fc.integer({ min: 0, max: 60_000 }),
        halfOpenMaxProbes: fc.integer({ min: 1, max: 3 }),
        failureWindowMs: fc.integer({ min: 1, max: 60_000 }),
      },
      { requiredKeys: ['failureThreshold', 'recoveryTimeoutMs', 'halfOpenMaxProbes'] },
    );
    const categoryArb = fc.constantFrom(...ERROR_CATEGORIES);
    const eventArb: fc.Arbitrary<BreakerEvent> = fc.oneof(
      fc.constant<BreakerEvent>({ type: 'ACQUIRE' }),
      fc.constant<BreakerEvent>({ type: 'SUCCESS' }),
      categoryArb.map((category): BreakerEvent => ({ type: 'FAILURE', category })),
      fc.constant<BreakerEvent>({ type: 'RELEASE' }),
    );
    const stepsArb = fc.array(fc.tuple(eventArb, fc.integer({ min: 0, max: 20_000 })), { maxLength: 60 });

    /** Applies the events at an advancing clock; a RELEASE the table forbids must throw and leave the state as it was. */
    function run(
      settings: BreakerSettings,
      steps: readonly (readonly [BreakerEvent, number])[],
      check: (state: BreakerState, now: number) => void,
    ): void {
      let state = INITIAL_BREAKER_STATE;
      let now = T0;
      for (const [event, advance] of steps) {
        now += advance;
        const releasable = state.status === 'HALF_OPEN' && state.probesInFlight > 0;
        if (event.type === 'RELEASE' && !releasable) {
          expect(() => transition(state, event, settings, now)).to.throw(IllegalTransitionError);
          continue;
        }
        state = transition(state, event, settings, now);
        check(state, now);
      }
    }

    it('never produces an invalid state from any sequence of events', () => {
      fc.assert(
        fc.property(settingsArb, stepsArb, (settings, steps) => {
          run(settings, steps, (state) => {
            expect(isBreakerState(state), JSON.stringify(state)).to.equal(true);
            if (state.status === 'CLOSED') expect(state.failures).to.be.lessThan(settings.failureThreshold);
            if (state.status === 'HALF_OPEN') expect(state.probesInFlight).to.be.at.most(settings.halfOpenMaxProbes);
          });
        }),
      );
    });

    it('never opens from failures whose category does not trip breakers', () => {
      const harmless = fc.oneof(
        fc.constant<BreakerEvent>({ type: 'ACQUIRE' }),
        fc.constant<BreakerEvent>({ type: 'SUCCESS' }),
        fc.constantFrom(...NOT_TRIPPING).map((category): BreakerEvent => ({ type: 'FAILURE', category })),
      );
      fc.assert(
        fc.property(
          settingsArb,
          fc.array(fc.tuple(harmless, fc.integer({ min: 0, max: 20_000 })), { maxLength: 60 }),
          (settings, steps) => {
            run(settings, steps, (state) => expect(state.status).to.equal('CLOSED'));
          },
        ),
      );
    });

    it('never permits a call while OPEN before the recovery timeout', () => {
      fc.assert(
        fc.property(settingsArb, fc.integer({ min: 0, max: 10 ** 12 }), fc.nat(), (settings, opened, elapsed) => {
          const result = acquire({ status: 'OPEN', openedAt: opened, rule: 'count' }, settings, opened + elapsed);
          expect(result.permitted).to.equal(elapsed >= settings.recoveryTimeoutMs);
          if (!result.permitted) expect(result.retryAfterMs).to.equal(settings.recoveryTimeoutMs - elapsed);
        }),
      );
    });

    it('permits at most halfOpenMaxProbes calls after recovery until a probe reports', () => {
      fc.assert(
        fc.property(settingsArb, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 100_000 }), (settings, attempts, late) => {
          let state: BreakerState = { status: 'OPEN', openedAt: T0, rule: 'count' };
          let permitted = 0;
          for (let i = 0; i < attempts; i += 1) {
            const result = acquire(state, settings, T0 + settings.recoveryTimeoutMs + late + i);
            state = result.state;
            if (result.permitted) permitted += 1;
          }
          expect(permitted).to.equal(Math.min(attempts, settings.halfOpenMaxProbes));
        }),
      );
    });

    it('opens after exactly failureThreshold counted failures in a row within the window', () => {
      fc.assert(
        fc.property(settingsArb, fc.constantFrom(...TRIPPING), (settings, category) => {
          let state = INITIAL_BREAKER_STATE;
          for (let i = 1; i < settings.failureThreshold; i += 1) state = transition(state, failure(category), settings, T0);
          expect(state.status).to.equal('CLOSED');
          expect(transition(state, failure(category), settings, T0)).to.deep.equal({ status: 'OPEN', openedAt: T0, rule: 'count' });
        }),
      );
    });

    it('survives a JSON round-trip unchanged', () => {
      fc.assert(
        fc.property(settingsArb, stepsArb, (settings, steps) => {
          run(settings, steps, (state) => {
            const restored: unknown = JSON.parse(JSON.stringify(state));
            expect(isBreakerState(restored)).to.equal(true);
            expect(restored).to.deep.equal(state);
          });
        }),
      );
    });
  });
});
