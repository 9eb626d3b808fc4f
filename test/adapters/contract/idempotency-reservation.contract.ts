import { expect } from 'chai';
import type { ClaimRequest } from '../../../domain/idempotency.js';
import { DEFAULT_ACCEPT_LEASE_MS, type ReservationRequest } from '../../../domain/idempotency-reservation.js';
import type { IdempotencyStoreContractSubject } from './idempotency-store.contract.js';
import { freshSubjectPerTest, uniqueName } from './contract-support.js';

const NOW = Date.UTC(2026, 0, 1, 12);
const TTL_SECONDS = 3_600;

/** The edge's reservation (first accepted wins), the same in every IdempotencyStore adapter. */
export function idempotencyReservationContract(name: string, makeSubject: () => Promise<IdempotencyStoreContractSubject>): void {
  describe(`Contract: IdempotencyStore reservation (${name})`, () => {
    const subject = freshSubjectPerTest(makeSubject);
    let key: string;

    beforeEach(() => {
      key = uniqueName('order#reserve');
    });

    function aReservation(overrides: Partial<ReservationRequest> = {}): ReservationRequest {
      return { key, payloadHash: 'hash-a', now: NOW, acceptLeaseMs: DEFAULT_ACCEPT_LEASE_MS, ttlSeconds: TTL_SECONDS, orderId: 'order-1', correlationId: 'c-1', ...overrides };
    }

    function aClaim(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
      return { key, payloadHash: 'hash-a', ownerToken: 'worker', now: NOW + 1_000, leaseMs: 30_000, ttlSeconds: TTL_SECONDS, ...overrides };
    }

    it('reserves a free key ACCEPTED, and answers a different payload KEY_REUSED before any claim, changing nothing', async () => {
      const first = await subject().store.reserve(aReservation());
      const second = await subject().store.reserve(aReservation({ payloadHash: 'hash-b', now: NOW + 1 }));

      expect(first.kind).to.equal('RESERVED');
      expect(second).to.deep.include({ kind: 'KEY_REUSED' });
      expect(await subject().store.get(key, NOW + 2)).to.deep.include({ status: 'ACCEPTED', payloadHash: 'hash-a', attempts: 0 });
    });

    it('answers a same-payload copy IN_PROGRESS while the reservation holds, then reserves again', async () => {
      await subject().store.reserve(aReservation());

      const early = await subject().store.reserve(aReservation({ now: NOW + 1_000 }));
      const late = await subject().store.reserve(aReservation({ now: NOW + DEFAULT_ACCEPT_LEASE_MS + 1 }));

      expect(early.kind).to.equal('IN_PROGRESS');
      expect(late.kind).to.equal('RESERVED');
    });

    it('answers a reservation written again as-is RESERVED (its first write landed, its answer was lost, the SDK retried), and another copy in the same millisecond IN_PROGRESS', async () => {
      await subject().store.reserve(aReservation());

      const retried = await subject().store.reserve(aReservation());
      const otherCopy = await subject().store.reserve(aReservation({ correlationId: 'c-2' }));

      expect(retried.kind).to.equal('RESERVED');
      expect(otherCopy.kind).to.equal('IN_PROGRESS');
      expect(await subject().store.get(key, NOW + 1)).to.deep.include({ status: 'ACCEPTED', payloadHash: 'hash-a', correlationId: 'c-1' });
    });

    it('lets the worker claim the reservation for the first payload only; a claim of another payload is CONFLICT', async () => {
      await subject().store.reserve(aReservation());

      const other = await subject().store.claim(aClaim({ payloadHash: 'hash-b' }));
      const same = await subject().store.claim(aClaim());

      expect(other.kind).to.equal('CONFLICT');
      expect(same).to.deep.include({ kind: 'PROCEED', attempt: 1, resumed: false });
      expect(await subject().store.get(key, NOW + 2_000)).to.deep.include({ status: 'INFLIGHT', payloadHash: 'hash-a', ownerToken: 'worker' });
    });

    it('answers a completed order DUPLICATE with its record', async () => {
      await subject().store.reserve(aReservation());
      await subject().store.claim(aClaim());
      await subject().store.complete(key, 'worker', NOW + 2_000, { total: 1 });

      const copy = await subject().store.reserve(aReservation({ now: NOW + 3_000 }));

      expect(copy.kind).to.equal('DUPLICATE');
      expect(copy.record).to.deep.include({ status: 'SUCCEEDED', outcome: { total: 1 } });
    });

    it('lets exactly one of two concurrent reservations of different payloads win; the other is KEY_REUSED', async () => {
      const answers = await Promise.all([subject().store.reserve(aReservation()), subject().store.reserve(aReservation({ payloadHash: 'hash-b' }))]);

      expect(answers.map((answer) => answer.kind).sort()).to.deep.equal(['KEY_REUSED', 'RESERVED']);
      const winner = answers.findIndex((answer) => answer.kind === 'RESERVED');
      expect((await subject().store.get(key, NOW + 1))?.payloadHash).to.equal(winner === 0 ? 'hash-a' : 'hash-b');
    });

    it('parks a reservation that was never claimed (the redrive), keeping its payload', async () => {
      await subject().store.reserve(aReservation());

      const parked = await subject().store.park(key, { category: 'PERMANENT', code: 'X' }, NOW + 1_000);

      expect(parked).to.deep.include({ status: 'PARKED', payloadHash: 'hash-a' });
    });
  });
}
