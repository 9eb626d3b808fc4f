import { expect } from 'chai';
import fc from 'fast-check';
import { IllegalTransitionError } from '../../domain/errors.js';
import { decideClaim, LeaseLostError, transition, type IdempotencyEvent, type IdempotencyRecord } from '../../domain/idempotency.js';
import { NOW, aRecord, aClaim } from './idempotency.fixtures.js';

describe('Module: idempotency', () => {
  describe('Properties', () => {
    const OWNERS = ['owner-a', 'owner-b', 'owner-c'] as const;
    const ownerArb = fc.constantFrom(...OWNERS);
    const failureArb = fc.record({ category: fc.constantFrom('TRANSIENT', 'TIMEOUT', 'VALIDATION', 'PERMANENT'), code: fc.constant('X') });
    const eventArb: fc.Arbitrary<IdempotencyEvent> = fc.oneof(
      fc
        .record({ owner: ownerArb, leaseMs: fc.integer({ min: 1, max: 10_000 }), hash: fc.constantFrom('hash-1', 'hash-1', 'hash-2') })
        .map(({ owner, leaseMs, hash }): IdempotencyEvent => ({
          type: 'CLAIM',
          request: aClaim({ ownerToken: owner, leaseMs, payloadHash: hash }),
        })),
      ownerArb.map((ownerToken): IdempotencyEvent => ({ type: 'RECORD_OUTCOME', ownerToken, outcome: { ok: true } })),
      ownerArb.map((ownerToken): IdempotencyEvent => ({ type: 'COMPLETE', ownerToken })),
      fc.record({ ownerToken: ownerArb, failure: failureArb, park: fc.boolean() }).map((e): IdempotencyEvent => ({ type: 'FAIL', ...e })),
      failureArb.map((failure): IdempotencyEvent => ({ type: 'PARK', failure })),
    );
    // Steps stay far inside the one-day TTL, so the record stays live and its history is one history.
    const stepsArb = fc.array(fc.tuple(eventArb, fc.integer({ min: 0, max: 15_000 })), { maxLength: 50 });

    interface Step {
      readonly before: IdempotencyRecord | undefined;
      readonly event: IdempotencyEvent;
      readonly now: number;
      readonly after: IdempotencyRecord | undefined;
      readonly error?: unknown;
    }

    /** Applies the events; a refused event must throw one of the two expected errors and leave the record alone. */
    function replay(steps: readonly (readonly [IdempotencyEvent, number])[]): Step[] {
      const history: Step[] = [];
      let record: IdempotencyRecord | undefined;
      let now = NOW;
      for (const [event, advance] of steps) {
        now += advance;
        try {
          const next = transition(record, event, now);
          history.push({ before: record, event, now, after: next });
          record = next;
        } catch (error) {
          if (!(error instanceof IllegalTransitionError || error instanceof LeaseLostError)) throw error;
          history.push({ before: record, event, now, after: record, error });
        }
      }
      return history;
    }

    it('never decreases attempts, and keeps a lease exactly while INFLIGHT', () => {
      fc.assert(
        fc.property(stepsArb, (steps) => {
          for (const step of replay(steps)) {
            if (step.after === undefined) continue;
            expect(step.after.attempts).to.be.at.least(Math.max(1, step.before?.attempts ?? 1));
            const holdsLease = step.after.ownerToken !== undefined && step.after.leaseExpiresAt !== undefined;
            expect(holdsLease).to.equal(step.after.status === 'INFLIGHT');
          }
        }),
      );
    });

    it('never lets a claim take over a live INFLIGHT lease', () => {
      fc.assert(
        fc.property(stepsArb, (steps) => {
          for (const step of replay(steps)) {
            const { before } = step;
            const liveLease = before?.status === 'INFLIGHT' && (before.leaseExpiresAt ?? 0) > step.now;
            if (step.event.type === 'CLAIM' && liveLease) expect(step.error).to.be.instanceOf(IllegalTransitionError);
          }
        }),
      );
    });

    it('never lets a worker that does not hold the lease complete, fail or record an outcome', () => {
      fc.assert(
        fc.property(stepsArb, (steps) => {
          for (const step of replay(steps)) {
            const { event, before } = step;
            if (event.type !== 'COMPLETE' && event.type !== 'FAIL' && event.type !== 'RECORD_OUTCOME') continue;
            const holder = before?.status === 'INFLIGHT' ? before.ownerToken : undefined;
            if (event.ownerToken !== holder)
              expect(step.error, `${event.type} by ${event.ownerToken}, held by ${String(holder)}`).to.not.equal(undefined);
            else expect(step.error).to.equal(undefined);
          }
        }),
      );
    });

    it('never leaves SUCCEEDED while the record lives', () => {
      fc.assert(
        fc.property(stepsArb, (steps) => {
          for (const step of replay(steps)) {
            if (step.before?.status === 'SUCCEEDED') expect(step.after).to.deep.equal(step.before);
          }
        }),
      );
    });

    it('refuses a live INFLIGHT lease to any claimant, whatever the times', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 10 ** 7 }),
          fc.integer({ min: 1, max: 10 ** 6 }),
          ownerArb,
          fc.boolean(),
          (left, leaseMs, owner, samePayload) => {
            const existing = aRecord({ leaseExpiresAt: NOW + left });
            const decision = decideClaim(existing, aClaim({ ownerToken: owner, leaseMs, payloadHash: samePayload ? 'hash-1' : 'hash-2' }));
            expect(decision.kind).to.equal(samePayload ? 'IN_PROGRESS' : 'CONFLICT');
            if (decision.kind === 'IN_PROGRESS') expect(decision.retryAfterMs).to.equal(left);
          },
        ),
      );
    });
  });
});
