import { expect } from 'chai';
import type { ClaimRequest } from '../../../domain/idempotency.js';
import type { OutboxEntry } from '../../../domain/outbox.js';
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
      return {
        key,
        payloadHash: 'hash-a',
        now: NOW,
        acceptLeaseMs: DEFAULT_ACCEPT_LEASE_MS,
        ttlSeconds: TTL_SECONDS,
        orderId: 'order-1',
        correlationId: 'c-1',
        ...overrides,
      };
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
      expect(await subject().store.get(key, NOW + 2_000)).to.deep.include({
        status: 'INFLIGHT',
        payloadHash: 'hash-a',
        ownerToken: 'worker',
      });
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
      const answers = await Promise.all([
        subject().store.reserve(aReservation()),
        subject().store.reserve(aReservation({ payloadHash: 'hash-b' })),
      ]);

      expect(answers.map((answer) => answer.kind).sort()).to.deep.equal(['KEY_REUSED', 'RESERVED']);
      const winner = answers.findIndex((answer) => answer.kind === 'RESERVED');
      expect((await subject().store.get(key, NOW + 1))?.payloadHash).to.equal(winner === 0 ? 'hash-a' : 'hash-b');
    });

    it('parks a reservation that was never claimed (the redrive), keeping its payload', async () => {
      await subject().store.reserve(aReservation());

      const parked = await subject().store.park(key, { category: 'PERMANENT', code: 'X' }, NOW + 1_000);

      expect(parked).to.deep.include({ status: 'PARKED', payloadHash: 'hash-a' });
    });

    describe('No reservation without its message', () => {
      const PUBLISHED: OutboxEntry = {
        eventId: 'published-1',
        detailType: 'OrderPublished',
        source: 'orders.pipeline',
        time: NOW,
        detail: '{"messageId":"m-1"}',
      };

      it('keeps the message and the time it awaits its send on the reservation; the claim removes both', async () => {
        const reserved = await subject().store.reserve(aReservation({ message: '{"order":1}' }));
        const before = await subject().store.get(key, NOW + 1);
        await subject().store.claim(aClaim());

        expect(reserved.record).to.deep.include({ awaitingSendSince: NOW, pendingMessage: '{"order":1}' });
        expect(before).to.deep.include({ awaitingSendSince: NOW, pendingMessage: '{"order":1}' });
        expect(await subject().store.get(key, NOW + 2_000)).to.not.have.any.keys('awaitingSendSince', 'pendingMessage');
      });

      it('releases the reservation the request wrote, so the same payload is reserved again at once', async () => {
        const reserved = await subject().store.reserve(aReservation());

        const released = await subject().store.releaseReservation(reserved.record, NOW + 100);
        const retried = await subject().store.reserve(aReservation({ now: NOW + 200, correlationId: 'c-2' }));

        expect(released).to.equal(true);
        expect(retried.kind).to.equal('RESERVED');
        expect(await subject().store.get(key, NOW + 300)).to.deep.include({ status: 'ACCEPTED', correlationId: 'c-2' });
      });

      it("never releases another request's reservation, nor a claimed one", async () => {
        const first = await subject().store.reserve(aReservation());
        const second = await subject().store.reserve(aReservation({ now: NOW + DEFAULT_ACCEPT_LEASE_MS + 1, correlationId: 'c-2' }));

        const lateRelease = await subject().store.releaseReservation(first.record, NOW + DEFAULT_ACCEPT_LEASE_MS + 2);
        await subject().store.claim(aClaim({ now: NOW + DEFAULT_ACCEPT_LEASE_MS + 3 }));
        const afterClaim = await subject().store.releaseReservation(second.record, NOW + DEFAULT_ACCEPT_LEASE_MS + 4);

        expect(second.kind).to.equal('RESERVED');
        expect(lateRelease, "the first request's reservation was replaced by the second's").to.equal(false);
        expect(afterClaim, 'claimed: the message reached a worker').to.equal(false);
        expect(await subject().store.get(key, NOW + DEFAULT_ACCEPT_LEASE_MS + 5)).to.deep.include({
          status: 'INFLIGHT',
          ownerToken: 'worker',
        });
      });

      it('finds unclaimed reservations awaiting their send since before the given time, oldest first, and no claimed one', async () => {
        const other = `${key}-other`;
        const claimed = `${key}-claimed`;
        await subject().store.reserve(aReservation({ now: NOW + 10 }));
        await subject().store.reserve(aReservation({ key: other, now: NOW }));
        await subject().store.reserve(aReservation({ key: claimed, now: NOW }));
        await subject().store.claim(aClaim({ key: claimed }));

        const found = await subject().store.findAwaitingSend(NOW + 11, 1_000, NOW + 20);
        const older = await subject().store.findAwaitingSend(NOW + 5, 1_000, NOW + 20);

        const ours = (records: readonly { key: string }[]) =>
          records.map((record) => record.key).filter((name) => [key, other, claimed].includes(name));
        expect(ours(found)).to.deep.equal([other, key]);
        expect(ours(older)).to.deep.equal([other]);
      });

      it('marks a reservation sent: it no longer awaits its send, and its lease starts again', async () => {
        const reserved = await subject().store.reserve(aReservation({ message: '{"order":1}' }));
        const later = NOW + DEFAULT_ACCEPT_LEASE_MS + 1;

        const marked = await subject().store.markReservationSent(reserved.record, DEFAULT_ACCEPT_LEASE_MS, later);
        const again = await subject().store.markReservationSent(reserved.record, DEFAULT_ACCEPT_LEASE_MS, later + 1);
        const copy = await subject().store.reserve(aReservation({ now: later + 1_000, correlationId: 'c-2' }));

        expect(marked).to.equal(true);
        expect(again, 'already sent').to.equal(false);
        expect(copy.kind, 'queued again: same-payload copies are in progress').to.equal('IN_PROGRESS');
        const record = await subject().store.get(key, later + 1_000);
        expect(record).to.deep.include({ status: 'ACCEPTED', leaseExpiresAt: later + DEFAULT_ACCEPT_LEASE_MS });
        expect(record).to.not.have.any.keys('awaitingSendSince', 'pendingMessage');
        expect((await subject().store.findAwaitingSend(later + 2_000, 1_000, later + 2_000)).map((r) => r.key)).to.not.include(key);
      });

      it('refuses to mark sent a reservation a worker claimed in between', async () => {
        const reserved = await subject().store.reserve(aReservation());
        await subject().store.claim(aClaim());

        expect(await subject().store.markReservationSent(reserved.record, DEFAULT_ACCEPT_LEASE_MS, NOW + 2_000)).to.equal(false);
        expect(await subject().store.get(key, NOW + 2_000)).to.deep.include({ status: 'INFLIGHT' });
      });

      it('commits OrderPublished with the first claim only: not again on a re-claim, nor for a duplicate or another payload', async () => {
        await subject().store.reserve(aReservation());

        const conflict = await subject().store.claim(aClaim({ payloadHash: 'hash-b', published: PUBLISHED }));
        const first = await subject().store.claim(aClaim({ published: PUBLISHED }));
        await subject().store.fail(key, 'worker', { category: 'TRANSIENT', code: 'X' }, false, NOW + 1_500);
        const reclaimed = await subject().store.claim(aClaim({ ownerToken: 'worker-2', now: NOW + 2_000, published: PUBLISHED }));
        await subject().store.complete(key, 'worker-2', NOW + 2_500, { total: 1 });
        const duplicate = await subject().store.claim(aClaim({ ownerToken: 'worker-3', now: NOW + 3_000, published: PUBLISHED }));

        expect(conflict.kind).to.equal('CONFLICT');
        expect(first).to.deep.include({ kind: 'PROCEED', attempt: 1 });
        expect(reclaimed).to.deep.include({ kind: 'PROCEED', attempt: 2 });
        expect(duplicate.kind).to.equal('ALREADY_SUCCEEDED');
        const record = await subject().store.get(key, NOW + 3_000);
        expect(record?.outbox?.map((entry) => entry.eventId)).to.deep.equal(['published-1']);
        expect(first.record.outbox?.map((entry) => entry.eventId)).to.deep.equal(['published-1']);
      });

      it('commits OrderPublished when the first claim finds no record at all (a copy no edge reserved)', async () => {
        const decision = await subject().store.claim(aClaim({ published: PUBLISHED }));

        expect(decision).to.deep.include({ kind: 'PROCEED', attempt: 1 });
        expect((await subject().store.get(key, NOW + 1_000))?.outbox?.map((entry) => entry.detailType)).to.deep.equal(['OrderPublished']);
      });
    });
  });
}
