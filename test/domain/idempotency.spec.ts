import { expect } from 'chai';
import { IllegalTransitionError } from '../../domain/errors.js';
import {
  decideClaim,
  isLive,
  LeaseLostError,
  statusOf,
  transition,
  type FailureInfo,
  type IdempotencyEvent,
  type IdempotencyRecord,
} from '../../domain/idempotency.js';
import { NOW, NOW_S, DAY_S, FAILURE, aRecord, released, aClaim } from './idempotency.fixtures.js';

describe('Module: idempotency', () => {
  describe('Function: isLive / statusOf', () => {
    it('treats a record as absent from the second its expiry is reached', () => {
      const record = aRecord({ status: 'SUCCEEDED', expiresAt: NOW_S });

      expect(isLive(record, NOW - 1)).to.equal(true);
      expect(isLive(record, NOW)).to.equal(false);
      expect(statusOf(record, NOW)).to.equal('NEW');
      expect(statusOf(undefined, NOW)).to.equal('NEW');
      expect(statusOf(record, NOW - 1)).to.equal('SUCCEEDED');
    });
  });

  describe('Function: decideClaim', () => {
    it('proceeds with attempt 1 and a fresh lease when there is no record', () => {
      // Act
      const decision = decideClaim(undefined, aClaim({ orderId: 'o-1', correlationId: 'c-1' }));

      // Assess
      expect(decision).to.deep.equal({
        kind: 'PROCEED',
        attempt: 1,
        resumed: false,
        record: {
          key: 'order-1',
          status: 'INFLIGHT',
          payloadHash: 'hash-1',
          attempts: 1,
          ownerToken: 'owner-b',
          leaseExpiresAt: NOW + 20_000,
          expiresAt: Math.floor(NOW / 1000) + DAY_S,
          createdAt: NOW,
          updatedAt: NOW,
          orderId: 'o-1',
          correlationId: 'c-1',
        },
      });
    });

    it('treats an expired record (not yet deleted by TTL) as absent: attempt 1, nothing carried over', () => {
      const expired = released({
        status: 'PARKED',
        attempts: 4,
        expiresAt: NOW_S - 1,
        lastError: FAILURE,
        outcome: { total: 1 },
        payloadHash: 'other',
      });

      const decision = decideClaim(expired, aClaim());

      expect(decision.kind).to.equal('PROCEED');
      if (decision.kind !== 'PROCEED') return;
      expect(decision.attempt).to.equal(1);
      expect(decision.resumed).to.equal(false);
      expect(decision.record.createdAt).to.equal(NOW);
      expect(decision.record).to.not.have.any.keys('lastError', 'outcome');
    });

    it('answers CONFLICT with the existing record when the payload differs, whatever its status', () => {
      for (const existing of [aRecord(), released({ status: 'SUCCEEDED' }), released({ status: 'RETRY' })]) {
        expect(decideClaim(existing, aClaim({ payloadHash: 'hash-2' }))).to.deep.equal({ kind: 'CONFLICT', record: existing });
      }
    });

    it('answers ALREADY_SUCCEEDED for a succeeded record', () => {
      const existing = released({ status: 'SUCCEEDED' });

      expect(decideClaim(existing, aClaim())).to.deep.equal({ kind: 'ALREADY_SUCCEEDED', record: existing });
    });

    it('answers PARKED for a parked record', () => {
      const existing = released({ status: 'PARKED', lastError: { category: 'VALIDATION', code: 'ORDER.INVALID' } });

      expect(decideClaim(existing, aClaim())).to.deep.equal({ kind: 'PARKED', record: existing });
    });

    it('answers IN_PROGRESS with the time left on a live lease', () => {
      const existing = aRecord({ leaseExpiresAt: NOW + 12_345 });

      expect(decideClaim(existing, aClaim())).to.deep.equal({ kind: 'IN_PROGRESS', record: existing, retryAfterMs: 12_345 });
    });

    it('takes over an INFLIGHT record whose lease ran out (the worker died): next attempt, new owner', () => {
      // Prepare
      const existing = aRecord({ attempts: 2, leaseExpiresAt: NOW, lastError: FAILURE });

      // Act
      const decision = decideClaim(existing, aClaim({ ownerToken: 'owner-b' }));

      // Assess
      expect(decision).to.deep.include({ kind: 'PROCEED', attempt: 3, resumed: false });
      if (decision.kind !== 'PROCEED') return;
      expect(decision.record).to.deep.include({
        status: 'INFLIGHT',
        attempts: 3,
        ownerToken: 'owner-b',
        leaseExpiresAt: NOW + 20_000,
        createdAt: existing.createdAt,
        updatedAt: NOW,
        lastError: FAILURE,
      });
    });

    it('takes over an INFLIGHT record that has no lease at all', () => {
      const { leaseExpiresAt: _lease, ...withoutLease } = aRecord();

      expect(decideClaim(withoutLease, aClaim()).kind).to.equal('PROCEED');
    });

    it('proceeds on RETRY with the next attempt, keeping the last error', () => {
      const existing = released({ status: 'RETRY', attempts: 2, lastError: FAILURE });

      const decision = decideClaim(existing, aClaim());

      expect(decision).to.deep.include({ kind: 'PROCEED', attempt: 3, resumed: false });
      if (decision.kind === 'PROCEED') expect(decision.record.lastError).to.deep.equal(FAILURE);
    });

    it('resumes on RETRY when the business outcome was already recorded', () => {
      const existing = released({ status: 'RETRY', attempts: 1, outcome: { totalMinor: 1999, currency: 'EUR' } });

      const decision = decideClaim(existing, aClaim());

      expect(decision).to.deep.include({ kind: 'PROCEED', attempt: 2, resumed: true });
      if (decision.kind === 'PROCEED') expect(decision.record.outcome).to.deep.equal({ totalMinor: 1999, currency: 'EUR' });
    });
  });

  describe('Function: transition', () => {
    describe('Event: CLAIM', () => {
      it('stores the claimed record and takes the time from the transition, not the request', () => {
        const next = transition(undefined, { type: 'CLAIM', request: aClaim({ now: 0 }) }, NOW);

        expect(next).to.deep.include({ status: 'INFLIGHT', attempts: 1, leaseExpiresAt: NOW + 20_000, createdAt: NOW });
      });

      const refused: readonly [string, IdempotencyRecord, string][] = [
        ['SUCCEEDED', released({ status: 'SUCCEEDED' }), 'CLAIM(ALREADY_SUCCEEDED)'],
        ['PARKED', released({ status: 'PARKED' }), 'CLAIM(PARKED)'],
        ['INFLIGHT with a live lease', aRecord(), 'CLAIM(IN_PROGRESS)'],
        ['another payload', released({ status: 'RETRY', payloadHash: 'hash-2' }), 'CLAIM(CONFLICT)'],
      ];
      for (const [label, record, event] of refused) {
        it(`throws IllegalTransitionError on a claim of ${label}`, () => {
          expect(() => transition(record, { type: 'CLAIM', request: aClaim() }, NOW))
            .to.throw(IllegalTransitionError)
            .with.property('context')
            .that.deep.include({ machine: 'idempotency', event });
        });
      }
    });

    describe('Events: RECORD_OUTCOME, COMPLETE, FAIL (owner-guarded)', () => {
      it('records the outcome and keeps the lease', () => {
        const next = transition(aRecord(), { type: 'RECORD_OUTCOME', ownerToken: 'owner-a', outcome: { ok: true } }, NOW);

        expect(next).to.deep.equal({ ...aRecord(), outcome: { ok: true }, updatedAt: NOW });
      });

      it('completes: SUCCEEDED, lease released, outcome stored in the same write', () => {
        const next = transition(aRecord(), { type: 'COMPLETE', ownerToken: 'owner-a', outcome: { total: 3 } }, NOW);

        expect(next).to.deep.equal({ ...released({}), status: 'SUCCEEDED', updatedAt: NOW, outcome: { total: 3 } });
      });

      it('completes without an outcome and keeps one recorded earlier', () => {
        const next = transition(aRecord({ outcome: { total: 3 } }), { type: 'COMPLETE', ownerToken: 'owner-a' }, NOW);

        expect(next).to.deep.include({ status: 'SUCCEEDED', outcome: { total: 3 } });
      });

      it('fails to RETRY with the error remembered and the lease released', () => {
        const next = transition(aRecord(), { type: 'FAIL', ownerToken: 'owner-a', failure: FAILURE, park: false }, NOW);

        expect(next).to.deep.equal({ ...released({}), status: 'RETRY', updatedAt: NOW, lastError: FAILURE });
      });

      it('fails to PARKED when told to park, keeping a given outcome', () => {
        const failure: FailureInfo = { category: 'PERMANENT', code: 'AWS.AccessDeniedException' };

        const next = transition(aRecord(), { type: 'FAIL', ownerToken: 'owner-a', failure, park: true, outcome: { total: 3 } }, NOW);

        expect(next).to.deep.include({ status: 'PARKED', lastError: failure, outcome: { total: 3 } });
        expect(next).to.not.have.any.keys('ownerToken', 'leaseExpiresAt');
      });

      const staleOwnerEvents: readonly IdempotencyEvent[] = [
        { type: 'RECORD_OUTCOME', ownerToken: 'owner-stale', outcome: { ok: true } },
        { type: 'COMPLETE', ownerToken: 'owner-stale' },
        { type: 'FAIL', ownerToken: 'owner-stale', failure: FAILURE, park: false },
      ];
      for (const event of staleOwnerEvents) {
        it(`throws LeaseLostError on ${event.type} from a worker whose lease was taken over`, () => {
          expect(() => transition(aRecord({ ownerToken: 'owner-new' }), event, NOW))
            .to.throw(LeaseLostError)
            .that.includes({ code: 'IDEMPOTENCY.LEASE_LOST', category: 'TRANSIENT' });
        });

        it(`throws IllegalTransitionError on ${event.type} once the record is no longer INFLIGHT`, () => {
          for (const status of ['SUCCEEDED', 'RETRY', 'PARKED'] as const) {
            expect(() => transition(released({ status }), event, NOW)).to.throw(IllegalTransitionError);
          }
        });

        it(`throws IllegalTransitionError on ${event.type} for an absent or expired record`, () => {
          expect(() => transition(undefined, event, NOW)).to.throw(IllegalTransitionError);
          expect(() => transition(aRecord({ ownerToken: 'owner-stale', expiresAt: NOW_S }), event, NOW)).to.throw(IllegalTransitionError);
        });
      }

      it('still lets the owner complete after its lease ran out if nobody took over: the token guards, not the clock', () => {
        const next = transition(aRecord({ leaseExpiresAt: NOW - 1 }), { type: 'COMPLETE', ownerToken: 'owner-a' }, NOW);

        expect(next.status).to.equal('SUCCEEDED');
      });
    });

    describe('Event: PARK', () => {
      const park: IdempotencyEvent = { type: 'PARK', failure: { category: 'PERMANENT', code: 'REDRIVE.BUDGET_SPENT' } };

      for (const [label, record] of [
        ['RETRY', released({ status: 'RETRY', lastError: FAILURE })],
        ['PARKED (the reason is updated)', released({ status: 'PARKED', lastError: FAILURE })],
        ['INFLIGHT whose lease ran out', aRecord({ leaseExpiresAt: NOW })],
      ] as const) {
        it(`parks a ${label} record with the new reason and no lease`, () => {
          const next = transition(record, park, NOW);

          expect(next).to.deep.include({
            status: 'PARKED',
            lastError: { category: 'PERMANENT', code: 'REDRIVE.BUDGET_SPENT' },
            updatedAt: NOW,
          });
          expect(next).to.not.have.any.keys('ownerToken', 'leaseExpiresAt');
        });
      }

      for (const [label, record] of [
        ['SUCCEEDED', released({ status: 'SUCCEEDED' })],
        ['INFLIGHT with a live lease', aRecord()],
        ['absent', undefined],
        ['expired', released({ status: 'RETRY', expiresAt: NOW_S })],
      ] as const) {
        it(`throws IllegalTransitionError when parking a ${label} record`, () => {
          expect(() => transition(record, park, NOW)).to.throw(IllegalTransitionError);
        });
      }
    });
  });
});
