import { expect } from 'chai';
import type { IdempotencyStore } from '../../../application/ports/idempotency-store.js';
import { type ClaimRequest } from '../../../domain/idempotency.js';
import { freshSubjectPerTest, refusalOf, uniqueName, type Disposable } from './contract-support.js';
import { NOW, LEASE_MS, TTL_SECONDS, TRANSIENT, PERMANENT, TABLE_NOT_FOUND, expectLeaseLost } from './idempotency-store.fixtures.js';

export interface IdempotencyStoreContractSubject extends Disposable {
  /** A store (table) the test may write any key to; keys are made unique per test anyway. */
  readonly store: IdempotencyStore;
  /** Deletes the store's table (DeleteTable). */
  deleteTable(): Promise<void>;
}

/** The conditional-write semantics every IdempotencyStore adapter must have; the domain decides, the store holds. */
export function idempotencyStoreContract(name: string, makeSubject: () => Promise<IdempotencyStoreContractSubject>): void {
  describe(`Contract: IdempotencyStore (${name})`, () => {
    const subject = freshSubjectPerTest(makeSubject);
    const store = (): IdempotencyStore => subject().store;
    let key: string;

    beforeEach(() => {
      key = uniqueName('order#contract');
    });

    function aClaim(overrides: Partial<ClaimRequest> = {}): ClaimRequest {
      return {
        key,
        payloadHash: 'hash-1',
        ownerToken: 'owner-a',
        now: NOW,
        leaseMs: LEASE_MS,
        ttlSeconds: TTL_SECONDS,
        orderId: 'order-0001',
        correlationId: 'corr-1',
        ...overrides,
      };
    }

    /** A claim `ms` after NOW by another worker. */
    function aLaterClaim(ms: number, ownerToken = 'owner-b'): ClaimRequest {
      return aClaim({ ownerToken, now: NOW + ms });
    }

    describe('Method: claim', () => {
      it('grants the first claim of a key: PROCEED, attempt 1, an INFLIGHT record held by the caller', async () => {
        const decision = await store().claim(aClaim());

        expect(decision.kind).to.equal('PROCEED');
        if (decision.kind !== 'PROCEED') return;
        expect(decision.attempt).to.equal(1);
        expect(decision.resumed).to.equal(false);
        expect(decision.record).to.include({ key, status: 'INFLIGHT', ownerToken: 'owner-a', attempts: 1, payloadHash: 'hash-1' });
        expect(decision.record.leaseExpiresAt).to.equal(NOW + LEASE_MS);
        expect(decision.record.expiresAt).to.equal(Math.floor(NOW / 1000) + TTL_SECONDS);
        expect(await store().get(key, NOW)).to.deep.equal(decision.record);
      });

      it('answers a duplicate of a completed key ALREADY_SUCCEEDED, with the stored outcome', async () => {
        await store().claim(aClaim());
        await store().complete(key, 'owner-a', NOW + 10, { totalMinor: 4_498 });

        const decision = await store().claim(aLaterClaim(20));

        expect(decision.kind).to.equal('ALREADY_SUCCEEDED');
        expect(decision.record.status).to.equal('SUCCEEDED');
        expect(decision.record.outcome).to.deep.equal({ totalMinor: 4_498 });
      });

      it('grants exactly one of two concurrent claims; the other is told IN_PROGRESS', async () => {
        const decisions = await Promise.all([
          store().claim(aClaim({ ownerToken: 'owner-a' })),
          store().claim(aClaim({ ownerToken: 'owner-b' })),
        ]);

        const kinds = decisions.map((decision) => decision.kind).sort();
        expect(kinds).to.deep.equal(['IN_PROGRESS', 'PROCEED']);
        const winner = decisions.find((decision) => decision.kind === 'PROCEED');
        expect((await store().get(key, NOW))?.ownerToken).to.equal(winner?.record.ownerToken);
      });

      it('answers IN_PROGRESS with the time left on the lease while another worker holds it', async () => {
        await store().claim(aClaim());

        const decision = await store().claim(aLaterClaim(10_000));

        expect(decision.kind).to.equal('IN_PROGRESS');
        if (decision.kind === 'IN_PROGRESS') expect(decision.retryAfterMs).to.equal(LEASE_MS - 10_000);
        expect(decision.record.ownerToken).to.equal('owner-a');
      });

      it('lets another worker take over once the lease expired (the first worker died): attempt 2', async () => {
        await store().claim(aClaim());

        const decision = await store().claim(aLaterClaim(LEASE_MS + 1));

        expect(decision.kind).to.equal('PROCEED');
        if (decision.kind === 'PROCEED') expect(decision.attempt).to.equal(2);
        expect(decision.record.ownerToken).to.equal('owner-b');
      });

      it('answers CONFLICT, and changes nothing, when the key comes back with another payload', async () => {
        const first = await store().claim(aClaim());

        const decision = await store().claim(aClaim({ payloadHash: 'hash-2', ownerToken: 'owner-b', now: NOW + LEASE_MS + 1 }));

        expect(decision.kind).to.equal('CONFLICT');
        expect(decision.record.payloadHash).to.equal('hash-1');
        expect(await store().get(key, NOW + LEASE_MS + 1)).to.deep.equal(first.record);
      });

      it('treats an expired record as absent: the next claim starts again at attempt 1', async () => {
        await store().claim(aClaim({ ttlSeconds: 60 }));
        await store().complete(key, 'owner-a', NOW + 10);

        const decision = await store().claim(aLaterClaim(61_000));

        expect(decision.kind).to.equal('PROCEED');
        if (decision.kind === 'PROCEED') expect(decision.attempt).to.equal(1);
      });
    });

    describe('Method: complete', () => {
      it('marks the record SUCCEEDED and releases the lease', async () => {
        await store().claim(aClaim());

        const record = await store().complete(key, 'owner-a', NOW + 10);

        expect(record.status).to.equal('SUCCEEDED');
        expect(record.ownerToken).to.equal(undefined);
        expect(record.leaseExpiresAt).to.equal(undefined);
        expect(await store().get(key, NOW + 20)).to.deep.equal(record);
      });

      it('throws LeaseLostError for a worker that never held the lease', async () => {
        await store().claim(aClaim());

        const attempt = store().complete(key, 'owner-b', NOW + 10);

        await expectLeaseLost(attempt);
        expect((await store().get(key, NOW + 10))?.status).to.equal('INFLIGHT');
      });

      it('throws LeaseLostError for a stale owner after a takeover, and leaves the new owner in charge', async () => {
        await store().claim(aClaim());
        await store().claim(aLaterClaim(LEASE_MS + 1));

        await expectLeaseLost(store().complete(key, 'owner-a', NOW + LEASE_MS + 2));
        await expectLeaseLost(store().fail(key, 'owner-a', TRANSIENT, false, NOW + LEASE_MS + 2));
        await expectLeaseLost(store().recordOutcome(key, 'owner-a', { totalMinor: 1 }, NOW + LEASE_MS + 2));

        const completed = await store().complete(key, 'owner-b', NOW + LEASE_MS + 3);
        expect(completed.status).to.equal('SUCCEEDED');
      });

      it('throws LeaseLostError once the record was released (a second completion)', async () => {
        await store().claim(aClaim());
        await store().complete(key, 'owner-a', NOW + 10);

        await expectLeaseLost(store().complete(key, 'owner-a', NOW + 20));
      });
    });

    describe('Method: fail', () => {
      it('with retry, lets the next claim PROCEED as attempt 2, keeping the last error', async () => {
        await store().claim(aClaim());
        const failed = await store().fail(key, 'owner-a', TRANSIENT, false, NOW + 10);

        const decision = await store().claim(aLaterClaim(20));

        expect(failed.status).to.equal('RETRY');
        expect(decision.kind).to.equal('PROCEED');
        if (decision.kind !== 'PROCEED') return;
        expect(decision.attempt).to.equal(2);
        expect(decision.resumed).to.equal(false);
        expect(decision.record.lastError).to.deep.equal(TRANSIENT);
      });

      it('with retry after an outcome was recorded, lets the next claim resume (only events are left to do)', async () => {
        await store().claim(aClaim());
        await store().recordOutcome(key, 'owner-a', { totalMinor: 4_498 }, NOW + 5);
        await store().fail(key, 'owner-a', TRANSIENT, false, NOW + 10);

        const decision = await store().claim(aLaterClaim(20));

        expect(decision.kind).to.equal('PROCEED');
        if (decision.kind !== 'PROCEED') return;
        expect(decision.resumed).to.equal(true);
        expect(decision.record.outcome).to.deep.equal({ totalMinor: 4_498 });
      });

      it('keeps an outcome given with the failure itself, so the retry resumes', async () => {
        await store().claim(aClaim());
        await store().fail(key, 'owner-a', TRANSIENT, false, NOW + 10, { totalMinor: 4_498 });

        const decision = await store().claim(aLaterClaim(20));

        expect(decision.kind === 'PROCEED' && decision.resumed).to.equal(true);
      });

      it('with park, makes every later claim answer PARKED with the reason', async () => {
        await store().claim(aClaim());
        await store().fail(key, 'owner-a', PERMANENT, true, NOW + 10);

        const decision = await store().claim(aLaterClaim(20));

        expect(decision.kind).to.equal('PARKED');
        expect(decision.record.lastError).to.deep.equal(PERMANENT);
      });
    });

    describe('Method: park', () => {
      it('returns undefined for a key with no record', async () => {
        expect(await store().park(key, PERMANENT, NOW)).to.equal(undefined);
      });

      it('parks a record waiting for a retry, with the reason', async () => {
        await store().claim(aClaim());
        await store().fail(key, 'owner-a', TRANSIENT, false, NOW + 10);

        const parked = await store().park(key, PERMANENT, NOW + 20);

        expect(parked?.status).to.equal('PARKED');
        expect(parked?.lastError).to.deep.equal(PERMANENT);
        expect((await store().claim(aLaterClaim(30))).kind).to.equal('PARKED');
      });

      it('leaves a SUCCEEDED record as it is', async () => {
        await store().claim(aClaim());
        const succeeded = await store().complete(key, 'owner-a', NOW + 10);

        expect(await store().park(key, PERMANENT, NOW + 20)).to.deep.equal(succeeded);
        expect((await store().get(key, NOW + 20))?.status).to.equal('SUCCEEDED');
      });

      it('leaves a record held by a live lease as it is', async () => {
        const { record } = await store().claim(aClaim());

        expect(await store().park(key, PERMANENT, NOW + 10)).to.deep.equal(record);
        expect((await store().get(key, NOW + 10))?.status).to.equal('INFLIGHT');
      });

      it('parks an INFLIGHT record whose lease expired (its worker died)', async () => {
        await store().claim(aClaim());

        const parked = await store().park(key, PERMANENT, NOW + LEASE_MS + 1);

        expect(parked?.status).to.equal('PARKED');
      });

      it('returns undefined for an expired record', async () => {
        await store().claim(aClaim({ ttlSeconds: 60 }));
        await store().fail(key, 'owner-a', TRANSIENT, false, NOW + 10);

        expect(await store().park(key, PERMANENT, NOW + 61_000)).to.equal(undefined);
      });
    });

    describe('Method: get', () => {
      it('returns undefined for an unknown key and for an expired record', async () => {
        await store().claim(aClaim({ ttlSeconds: 60 }));

        expect(await store().get(`${key}-unknown`, NOW)).to.equal(undefined);
        expect(await store().get(key, NOW + 59_000)).to.not.equal(undefined);
        expect(await store().get(key, NOW + 61_000)).to.equal(undefined);
      });
    });

    /*
     * DynamoDB refuses every item call on a table that does not exist with ResourceNotFoundException (moto
     * 5.2 too, checked for GetItem, PutItem and UpdateItem). A store must let it through: read as an
     * absent record, or as a lost lease, it would send the worker down the wrong path. moto drops a
     * deleted table at once; DynamoDB keeps it DELETING for a while and may still serve reads and writes.
     */
    describe('Deleted table', () => {
      // Each call made as owner-a's claim would have it answered; only the missing table refuses it.
      const calls: Readonly<Record<string, () => Promise<unknown>>> = {
        claim: () => store().claim(aLaterClaim(10)),
        get: () => store().get(key, NOW + 10),
        recordOutcome: () => store().recordOutcome(key, 'owner-a', { totalMinor: 4_498 }, NOW + 10),
        complete: () => store().complete(key, 'owner-a', NOW + 10),
        fail: () => store().fail(key, 'owner-a', TRANSIENT, false, NOW + 10),
        park: () => store().park(key, PERMANENT, NOW + LEASE_MS + 1),
      };

      for (const [method, call] of Object.entries(calls)) {
        it(`refuses ${method}: thrown, PERMANENT, AWS.ResourceNotFoundException`, async () => {
          await store().claim(aClaim());
          await subject().deleteTable();

          expect(await refusalOf(call)).to.deep.equal(TABLE_NOT_FOUND);
        });
      }
    });
  });
}
