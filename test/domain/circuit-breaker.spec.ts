import { expect } from 'chai';
import {
  acquire,
  assertValidBreakerSettings,
  INITIAL_BREAKER_STATE,
  isBreakerState,
  isOpenAt,
  transition,
  type BreakerSettings,
  type BreakerState,
} from '../../domain/circuit-breaker/index.js';
import { SERVICE_BREAKER_SETTINGS, SERVICE_NAMES } from '../../application/config/breaker-defaults.js';
import { IllegalTransitionError, PermanentError } from '../../domain/errors.js';
import { SETTINGS, T0, NOT_TRIPPING, failure, SUCCESS, RELEASE, applyAll, openedAt } from './circuit-breaker.fixtures.js';

describe('Module: circuit-breaker', () => {
  describe('Constant: SERVICE_BREAKER_SETTINGS', () => {
    it('holds the seed rule for every service, with one probe at a time', () => {
      expect(SERVICE_BREAKER_SETTINGS.dynamodb).to.include({ failureThreshold: 3, recoveryTimeoutMs: 30_000, halfOpenMaxProbes: 1 });
      expect(SERVICE_BREAKER_SETTINGS.sqs).to.include({ failureThreshold: 5, recoveryTimeoutMs: 60_000, halfOpenMaxProbes: 1 });
      expect(SERVICE_BREAKER_SETTINGS.eventbridge).to.include({ failureThreshold: 3, recoveryTimeoutMs: 45_000, halfOpenMaxProbes: 1 });
      for (const service of SERVICE_NAMES) assertValidBreakerSettings(SERVICE_BREAKER_SETTINGS[service], service);
    });
  });

  describe('Function: acquire', () => {
    it('permits every call while CLOSED without changing the state', () => {
      // Act
      const result = acquire(INITIAL_BREAKER_STATE, SETTINGS, T0);

      // Assess
      expect(result).to.deep.equal({ permitted: true, state: INITIAL_BREAKER_STATE, retryAfterMs: 0 });
    });

    it('refuses while OPEN and says how long until the first probe', () => {
      const result = acquire({ status: 'OPEN', openedAt: T0, rule: 'count' }, SETTINGS, T0 + 10_000);

      expect(result.permitted).to.equal(false);
      expect(result.retryAfterMs).to.equal(20_000);
      expect(result.state).to.deep.equal({ status: 'OPEN', openedAt: T0, rule: 'count' });
    });

    it('refuses one millisecond before recovery and permits a probe exactly at recovery', () => {
      const open: BreakerState = { status: 'OPEN', openedAt: T0, rule: 'count' };

      expect(acquire(open, SETTINGS, T0 + 29_999)).to.include({ permitted: false, retryAfterMs: 1 });
      expect(acquire(open, SETTINGS, T0 + 30_000)).to.deep.equal({
        permitted: true,
        state: { status: 'HALF_OPEN', probesInFlight: 1 },
        retryAfterMs: 0,
      });
    });

    it('refuses a second probe while the only probe slot is taken', () => {
      const result = acquire({ status: 'HALF_OPEN', probesInFlight: 1 }, SETTINGS, T0);

      expect(result.permitted).to.equal(false);
      expect(result.retryAfterMs).to.be.greaterThan(0);
      expect(result.state).to.deep.equal({ status: 'HALF_OPEN', probesInFlight: 1 });
    });

    it('permits probes up to halfOpenMaxProbes', () => {
      const settings = { ...SETTINGS, halfOpenMaxProbes: 2 };
      const first = acquire({ status: 'OPEN', openedAt: T0, rule: 'count' }, settings, T0 + 30_000);
      const second = acquire(first.state, settings, T0 + 30_001);
      const third = acquire(second.state, settings, T0 + 30_002);

      expect([first.permitted, second.permitted, third.permitted]).to.deep.equal([true, true, false]);
      expect(third.state).to.deep.equal({ status: 'HALF_OPEN', probesInFlight: 2 });
    });

    it('waits one recovery period from the current clock when the clock stepped back behind openedAt', () => {
      const result = acquire({ status: 'OPEN', openedAt: T0, rule: 'count' }, SETTINGS, T0 - 3_600_000);

      expect(result.permitted).to.equal(false);
      expect(result.retryAfterMs).to.equal(SETTINGS.recoveryTimeoutMs);
      expect(result.state).to.deep.equal({ status: 'OPEN', openedAt: T0 - 3_600_000, rule: 'count' });
    });
  });

  describe('Function: transition', () => {
    it('opens after failureThreshold consecutive counted failures', () => {
      const twice = applyAll(INITIAL_BREAKER_STATE, [failure(), failure('TIMEOUT')], SETTINGS, T0);
      const thrice = transition(twice, failure(), SETTINGS, T0 + 5);

      expect(twice).to.deep.include({ status: 'CLOSED', failures: 2 });
      expect(thrice).to.deep.equal({ status: 'OPEN', openedAt: T0 + 5, rule: 'count' });
    });

    it('resets the count on a success while CLOSED', () => {
      const state = applyAll(INITIAL_BREAKER_STATE, [failure(), failure(), SUCCESS, failure(), failure()], SETTINGS, T0);

      expect(state).to.deep.include({ status: 'CLOSED', failures: 2 });
    });

    for (const category of NOT_TRIPPING) {
      it(`never counts a ${category} failure`, () => {
        const state = applyAll(
          INITIAL_BREAKER_STATE,
          Array.from({ length: 10 }, () => failure(category)),
          SETTINGS,
          T0,
        );

        expect(state).to.deep.equal(INITIAL_BREAKER_STATE);
      });
    }

    it('starts counting again when a failure comes after the window of the first counted one', () => {
      // Prepare: two failures, then an idle gap longer than the window (a frozen environment)
      const settings = { ...SETTINGS, failureWindowMs: 10_000 };
      const before = applyAll(INITIAL_BREAKER_STATE, [failure(), failure()], settings, T0);

      // Act
      const after = transition(before, failure(), settings, T0 + 10_001);

      // Assess
      expect(after).to.deep.equal({ status: 'CLOSED', failures: 1, firstFailureAt: T0 + 10_001 });
    });

    it('opens when the failures fall within the window, the last exactly at its end', () => {
      const settings = { ...SETTINGS, failureWindowMs: 10_000 };
      const state = transition(applyAll(INITIAL_BREAKER_STATE, [failure(), failure()], settings, T0), failure(), settings, T0 + 10_000);

      expect(state).to.deep.equal({ status: 'OPEN', openedAt: T0 + 10_000, rule: 'count' });
    });

    it('keeps old failures without a window (plain consecutive count)', () => {
      const before = applyAll(INITIAL_BREAKER_STATE, [failure(), failure()], SETTINGS, T0);

      expect(transition(before, failure(), SETTINGS, T0 + 86_400_000).status).to.equal('OPEN');
    });

    it('ignores late results while OPEN: they answer calls made before it opened', () => {
      const open = openedAt(T0);

      expect(transition(open, SUCCESS, SETTINGS, T0 + 1)).to.deep.equal(open);
      expect(transition(open, failure(), SETTINGS, T0 + 1)).to.deep.equal(open);
    });

    it('closes on a probe success', () => {
      expect(transition({ status: 'HALF_OPEN', probesInFlight: 1 }, SUCCESS, SETTINGS, T0)).to.deep.equal(INITIAL_BREAKER_STATE);
    });

    it('reopens from now on a counted probe failure', () => {
      expect(transition({ status: 'HALF_OPEN', probesInFlight: 1 }, failure('TIMEOUT'), SETTINGS, T0 + 7)).to.deep.equal({
        status: 'OPEN',
        openedAt: T0 + 7,
        rule: 'probe',
      });
    });

    it('frees the probe slot on RELEASE without judging health', () => {
      const released = transition({ status: 'HALF_OPEN', probesInFlight: 1 }, RELEASE, SETTINGS, T0);

      expect(released).to.deep.equal({ status: 'HALF_OPEN', probesInFlight: 0 });
      expect(acquire(released, SETTINGS, T0).permitted).to.equal(true);
    });

    it('leaves HALF_OPEN as it is on a failure that does not count', () => {
      const state: BreakerState = { status: 'HALF_OPEN', probesInFlight: 1 };

      expect(transition(state, failure('VALIDATION'), SETTINGS, T0)).to.deep.equal(state);
    });

    const releaseWithoutProbe: readonly BreakerState[] = [
      INITIAL_BREAKER_STATE,
      { status: 'OPEN', openedAt: T0, rule: 'count' },
      { status: 'HALF_OPEN', probesInFlight: 0 },
    ];
    for (const state of releaseWithoutProbe) {
      it(`throws IllegalTransitionError on RELEASE without a probe in flight (${state.status})`, () => {
        expect(() => transition(state, RELEASE, SETTINGS, T0)).to.throw(IllegalTransitionError, /circuit-breaker/);
      });
    }

    it('takes a probe slot on ACQUIRE exactly as acquire does', () => {
      const open: BreakerState = { status: 'OPEN', openedAt: T0, rule: 'count' };

      expect(transition(open, { type: 'ACQUIRE' }, SETTINGS, T0 + 30_000)).to.deep.equal(acquire(open, SETTINGS, T0 + 30_000).state);
    });
  });

  describe('Function: isOpenAt', () => {
    it('is true while OPEN and before recovery, false once a probe is due', () => {
      const open: BreakerState = { status: 'OPEN', openedAt: T0, rule: 'count' };

      expect(isOpenAt(open, SETTINGS, T0 + 29_999)).to.equal(true);
      expect(isOpenAt(open, SETTINGS, T0 + 30_000)).to.equal(false);
      expect(isOpenAt(INITIAL_BREAKER_STATE, SETTINGS, T0)).to.equal(false);
    });
  });

  describe('Function: assertValidBreakerSettings', () => {
    const invalid: readonly BreakerSettings[] = [
      { ...SETTINGS, failureThreshold: 0 },
      { ...SETTINGS, failureThreshold: 1.5 },
      { ...SETTINGS, recoveryTimeoutMs: -1 },
      { ...SETTINGS, recoveryTimeoutMs: Number.NaN },
      { ...SETTINGS, halfOpenMaxProbes: 0 },
      { ...SETTINGS, failureWindowMs: 0 },
    ];
    for (const settings of invalid) {
      it(`throws a coded PermanentError for ${JSON.stringify(settings)}`, () => {
        expect(() => assertValidBreakerSettings(settings))
          .to.throw(PermanentError)
          .with.property('code', 'BREAKER.INVALID_SETTINGS');
      });
    }
  });

  describe('Function: isBreakerState', () => {
    it('accepts the three shapes and rejects malformed ones', () => {
      expect(isBreakerState({ status: 'CLOSED', failures: 2, firstFailureAt: T0 })).to.equal(true);
      expect(isBreakerState({ status: 'OPEN', openedAt: T0, rule: 'count' })).to.equal(true);
      expect(isBreakerState({ status: 'HALF_OPEN', probesInFlight: 0 })).to.equal(true);
      expect(isBreakerState({ status: 'CLOSED', failures: -1 })).to.equal(false);
      expect(isBreakerState({ status: 'OPEN' })).to.equal(false);
      expect(isBreakerState({ status: 'HALF_OPEN', probesInFlight: 0.5 })).to.equal(false);
      expect(isBreakerState({ status: 'ISOLATED' })).to.equal(false);
      expect(isBreakerState(null)).to.equal(false);
    });
  });
});
