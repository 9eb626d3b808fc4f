import { expect } from 'chai';
import fc from 'fast-check';
import { decideClaim, transition, type ClaimRequest, type IdempotencyRecord } from '../../domain/idempotency.js';
import {
  AWAITING_SEND_SHARDS,
  awaitingSendShard,
  decideReservation,
  decideStrandedReservation,
  DEFAULT_ACCEPT_LEASE_MS,
  isOwnReservation,
  isSameReservation,
  sentReservation,
  type ReservationRequest,
} from '../../domain/idempotency-reservation.js';
import type { OutboxEntry } from '../../domain/outbox.js';

const NOW = 1_700_000_000_000;
const DAY_S = 86_400;

function aReservation(overrides: Partial<ReservationRequest> = {}): ReservationRequest {
  return { key: 'k', payloadHash: 'hash-a', now: NOW, acceptLeaseMs: DEFAULT_ACCEPT_LEASE_MS, ttlSeconds: DAY_S, ...overrides };
}

function aClaim(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
  return { key: 'k', payloadHash: 'hash-a', ownerToken: 'owner', now: NOW, leaseMs: 20_000, ttlSeconds: DAY_S, ...overrides };
}

function reserved(request: ReservationRequest = aReservation()): IdempotencyRecord {
  const decision = decideReservation(undefined, request);
  if (decision.kind !== 'RESERVED') throw new Error('not reserved');
  return decision.record;
}

describe('Module: idempotency-reservation', () => {
  describe('Function: decideReservation', () => {
    it('reserves a free key as ACCEPTED with no attempt yet, its fingerprint and a reservation lease', () => {
      const record = reserved(aReservation({ orderId: 'o-1', correlationId: 'c-1' }));

      expect(record).to.deep.equal({
        key: 'k',
        status: 'ACCEPTED',
        payloadHash: 'hash-a',
        attempts: 0,
        leaseExpiresAt: NOW + DEFAULT_ACCEPT_LEASE_MS,
        expiresAt: NOW / 1000 + DAY_S,
        createdAt: NOW,
        updatedAt: NOW,
        orderId: 'o-1',
        correlationId: 'c-1',
        awaitingSendSince: NOW,
      });
    });

    it('refuses a different payload under a reserved key before any worker claimed it', () => {
      expect(decideReservation(reserved(), aReservation({ payloadHash: 'hash-b', now: NOW + 1 })).kind).to.equal('KEY_REUSED');
    });

    it('answers a same-payload copy in progress while the reservation holds, and reserves again once it ran out', () => {
      const record = reserved();

      const early = decideReservation(record, aReservation({ now: NOW + 1_000 }));
      const late = decideReservation(record, aReservation({ now: NOW + DEFAULT_ACCEPT_LEASE_MS }));

      expect(early).to.deep.include({ kind: 'IN_PROGRESS', retryAfterMs: DEFAULT_ACCEPT_LEASE_MS - 1_000 });
      expect(late.kind).to.equal('RESERVED');
    });

    it('reserves again for the very request whose record it is (a retried write that had landed), and only for it', () => {
      const request = aReservation({ correlationId: 'c-1' });
      const record = reserved(request);

      expect(decideReservation(record, request).kind).to.equal('RESERVED');
      expect(isOwnReservation(record, request)).to.equal(true);
      for (const other of [
        aReservation({ correlationId: 'c-2' }),
        aReservation({ correlationId: 'c-1', now: NOW + 1 }),
        aReservation({ correlationId: 'c-1', payloadHash: 'hash-b' }),
      ]) {
        expect(isOwnReservation(record, other), JSON.stringify(other)).to.equal(false);
        expect(decideReservation(record, other).kind).to.not.equal('RESERVED');
      }
      expect(isOwnReservation({ ...record, status: 'INFLIGHT' }, request), 'claimed since: not a reservation any more').to.equal(false);
    });

    it('answers finished records as duplicates and worked ones as in progress', () => {
      for (const [status, kind] of [
        ['SUCCEEDED', 'DUPLICATE'],
        ['PARKED', 'DUPLICATE'],
        ['INFLIGHT', 'IN_PROGRESS'],
        ['RETRY', 'IN_PROGRESS'],
      ] as const) {
        expect(decideReservation({ ...reserved(), status }, aReservation({ now: NOW + 1 })).kind, status).to.equal(kind);
      }
    });

    it('treats an expired record as absent', () => {
      const record = { ...reserved(), status: 'SUCCEEDED' as const, payloadHash: 'hash-b' };

      expect(decideReservation(record, aReservation({ now: (record.expiresAt + 1) * 1000 })).kind).to.equal('RESERVED');
    });
  });

  describe('Function: decideClaim on an ACCEPTED record', () => {
    it('lets the worker take the reservation over as the first attempt, for the same fingerprint only', () => {
      const record = reserved();

      const same = decideClaim(record, aClaim({ now: NOW + 50_000 }));
      const other = decideClaim(record, aClaim({ payloadHash: 'hash-b', now: NOW + 1 }));

      expect(same).to.deep.include({ kind: 'PROCEED', attempt: 1, resumed: false });
      expect(other.kind).to.equal('CONFLICT');
    });
  });

  describe('Property: first accepted wins', () => {
    type Step =
      | { readonly type: 'reserve'; readonly hash: string }
      | { readonly type: 'claim'; readonly hash: string; readonly owner: string }
      | { readonly type: 'complete' | 'fail'; readonly owner: string };
    const hashArb = fc.constantFrom('hash-a', 'hash-b');
    const ownerArb = fc.constantFrom('w1', 'w2');
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      hashArb.map((hash): Step => ({ type: 'reserve', hash })),
      fc.record({ hash: hashArb, owner: ownerArb }).map((s): Step => ({ type: 'claim', ...s })),
      fc.record({ type: fc.constantFrom('complete' as const, 'fail' as const), owner: ownerArb }),
    );

    it('once a payload was reserved, no reservation, claim or commit of another payload succeeds while the record lives', () => {
      fc.assert(
        fc.property(fc.array(fc.tuple(stepArb, fc.integer({ min: 0, max: 30_000 })), { maxLength: 60 }), (steps) => {
          let record: IdempotencyRecord | undefined;
          let first: string | undefined;
          let now = NOW;
          for (const [step, elapsed] of steps) {
            now += elapsed;
            if (step.type === 'reserve') {
              const decision = decideReservation(record, aReservation({ payloadHash: step.hash, now }));
              if (decision.kind === 'RESERVED') record = decision.record;
              if (decision.kind === 'KEY_REUSED') expect(step.hash).to.not.equal(first);
            } else if (step.type === 'claim') {
              const decision = decideClaim(record, aClaim({ payloadHash: step.hash, ownerToken: step.owner, now }));
              if (decision.kind === 'PROCEED') record = decision.record;
            } else if (record?.status === 'INFLIGHT' && record.ownerToken === step.owner) {
              const failure = { category: 'TRANSIENT' as const, code: 'X' };
              record = transition(
                record,
                step.type === 'complete'
                  ? { type: 'COMPLETE', ownerToken: step.owner }
                  : { type: 'FAIL', ownerToken: step.owner, failure, park: false },
                now,
              );
            }
            first ??= record?.payloadHash;
            if (record !== undefined) expect(record.payloadHash, 'the stored payload is the first accepted one').to.equal(first);
          }
        }),
      );
    });
  });

  describe('No reservation without its message', () => {
    const PUBLISHED: OutboxEntry = { eventId: 'published', detailType: 'OrderPublished', source: 's', time: NOW, detail: '{}' };

    it('keeps the message and the time it awaits its send on the reservation; the claim drops both and commits OrderPublished', () => {
      const record = reserved(aReservation({ message: '{"o":1}' }));

      const claimed = decideClaim(record, aClaim({ now: NOW + 1, published: PUBLISHED }));

      expect(record).to.deep.include({ awaitingSendSince: NOW, pendingMessage: '{"o":1}' });
      expect(claimed.record).to.not.have.any.keys('awaitingSendSince', 'pendingMessage');
      expect(claimed.record.outbox?.map((entry) => entry.eventId)).to.deep.equal(['published']);
    });

    it('sends a stranded reservation only once its lease ran out, and releases one that kept no message', () => {
      const withMessage = reserved(aReservation({ message: 'm' }));
      const without = reserved();

      expect(decideStrandedReservation(withMessage, NOW + DEFAULT_ACCEPT_LEASE_MS - 1)).to.deep.equal({ kind: 'NONE' });
      expect(decideStrandedReservation(withMessage, NOW + DEFAULT_ACCEPT_LEASE_MS)).to.deep.equal({ kind: 'SEND', body: 'm' });
      expect(decideStrandedReservation(without, NOW + DEFAULT_ACCEPT_LEASE_MS)).to.deep.equal({ kind: 'RELEASE' });
      expect(decideStrandedReservation(undefined, NOW)).to.deep.equal({ kind: 'NONE' });
      expect(decideStrandedReservation(withMessage, (withMessage.expiresAt + 1) * 1000), 'expired: absent').to.deep.equal({ kind: 'NONE' });
    });

    it('leaves a reservation the sweep sent alone: no longer awaiting its send, leased again', () => {
      const sent = sentReservation(reserved(aReservation({ message: 'm' })), 5_000, NOW + 20_000);

      expect(sent).to.deep.include({ status: 'ACCEPTED', leaseExpiresAt: NOW + 25_000, updatedAt: NOW + 20_000 });
      expect(decideStrandedReservation(sent, NOW + 60_000)).to.deep.equal({ kind: 'NONE' });
      expect(
        decideReservation(sent, aReservation({ now: NOW + 21_000, correlationId: 'other' })).kind,
        'queued: a copy is in progress',
      ).to.equal('IN_PROGRESS');
    });

    it('puts every key in one of the index shards', () => {
      fc.assert(
        fc.property(fc.string(), (key) => {
          const shard = Number(awaitingSendShard(key));
          expect(Number.isInteger(shard) && shard >= 0 && shard < AWAITING_SEND_SHARDS).to.equal(true);
          expect(awaitingSendShard(key)).to.equal(shard.toString());
        }),
      );
    });

    it('property: a release or a sweep acts only on the reservation it read; a claimed, finished or replaced record is never released or re-sent', () => {
      const event = fc.constantFrom('claim', 'complete', 'reserveAgain', 'none');
      fc.assert(
        fc.property(fc.array(event, { maxLength: 4 }), fc.integer({ min: 0, max: 3 * DEFAULT_ACCEPT_LEASE_MS }), (events, elapsed) => {
          const written = reserved(aReservation({ message: 'm', correlationId: 'c-1' }));
          let current: IdempotencyRecord = written;
          let now = NOW;
          for (const step of events) {
            now += 1 + Math.floor(elapsed / 4);
            if (step === 'claim' && (current.status === 'ACCEPTED' || current.status === 'RETRY')) {
              current = decideClaim(current, aClaim({ now, published: PUBLISHED })).record;
            } else if (step === 'complete' && current.status === 'INFLIGHT') {
              current = transition(current, { type: 'COMPLETE', ownerToken: 'owner' }, now);
            } else if (step === 'reserveAgain') {
              const decision = decideReservation(current, aReservation({ now, message: 'm', correlationId: 'c-2' }));
              if (decision.kind === 'RESERVED') current = decision.record;
            }
          }
          const same = isSameReservation(current, written);
          expect(same).to.equal(current === written);
          const action = decideStrandedReservation(current, now + DEFAULT_ACCEPT_LEASE_MS);
          if (current.status !== 'ACCEPTED') expect(action.kind).to.equal('NONE');
          const published = (current.outbox ?? []).filter((entry) => entry.detailType === 'OrderPublished');
          expect(published.length, 'OrderPublished once, and only once claimed').to.equal(current.status === 'ACCEPTED' ? 0 : 1);
        }),
      );
    });
  });
});
