import { expect } from 'chai';
import { DynamoDbIdempotencyStore } from '../../adapters/aws/dynamodb-idempotency-store.js';
import { prepareMotoAccount, type MotoAccount } from '../../tools/moto/moto.js';
import { moto, NOW } from './aws-partial-failures.fixtures.js';

describe('AWS adapters on moto: partial failures and call counts', () => {
  let account: MotoAccount;

  beforeEach(async () => {
    await moto.server.reset();
    account = await prepareMotoAccount(moto.server);
  });

  describe('Class: DynamoDbIdempotencyStore', () => {
    let store: DynamoDbIdempotencyStore;
    const claim = (overrides: Partial<Parameters<DynamoDbIdempotencyStore['claim']>[0]> = {}) =>
      store.claim({ key: 'order#1', payloadHash: 'h1', ownerToken: 'owner-a', now: NOW, leaseMs: 30_000, ttlSeconds: 3_600, ...overrides });

    beforeEach(() => {
      store = new DynamoDbIdempotencyStore({ client: account.clients.dynamodb, tableName: account.resources.idempotencyTableName });
    });

    it('costs two writes for a new key (claim, complete) and one call for a duplicate', async () => {
      await claim();
      await store.complete('order#1', 'owner-a', NOW + 10, { totalMinor: 100 });
      const afterNew = account.sends.counts().dynamodb;
      account.sends.reset();

      const duplicate = await claim({ ownerToken: 'owner-b', now: NOW + 20 });

      expect(afterNew).to.deep.equal({ UpdateItem: 2 });
      expect(duplicate.kind).to.equal('ALREADY_SUCCEEDED');
      expect(account.sends.counts().dynamodb).to.deep.equal({ UpdateItem: 1 });
    });

    it('forgets what an expired record held (attempts, outcome, last error) when its key comes back', async () => {
      await claim();
      await store.fail('order#1', 'owner-a', { category: 'TRANSIENT', code: 'AWS.ThrottlingException' }, false, NOW + 10, {
        totalMinor: 100,
      });
      account.sends.reset();

      const later = NOW + 3_600_000;
      const decision = await claim({ ownerToken: 'owner-b', now: later });
      const stored = await store.get('order#1', later);

      expect(decision).to.include({ kind: 'PROCEED', attempt: 1, resumed: false });
      expect(stored).to.deep.equal(decision.record);
      expect(stored).to.not.have.any.keys('outcome', 'lastError');
      // The rare path costs one more write, guarded by the lease just granted.
      expect(account.sends.counts().dynamodb).to.deep.equal({ UpdateItem: 1, PutItem: 1, GetItem: 1 });
    });

    it('reads the record once more when the refusing item is not a whole record (moto creates items in two steps)', async () => {
      await claim();
      await store.complete('order#1', 'owner-a', NOW + 10);
      account.faults.inject({
        service: 'dynamodb',
        operation: 'UpdateItem',
        times: 1,
        fault: { kind: 'http', statusCode: 400, errorCode: 'ConditionalCheckFailedException', fields: { Item: { pk: { S: 'order#1' } } } },
      });
      account.sends.reset();

      const decision = await claim({ ownerToken: 'owner-b', now: NOW + 20 });

      expect(decision.kind).to.equal('ALREADY_SUCCEEDED');
      expect(account.sends.counts().dynamodb).to.deep.equal({ UpdateItem: 1, GetItem: 1 });
    });

    it('answers a claim race (TRANSIENT) when the record is still not whole on the second look', async () => {
      const partial = { Item: { pk: { S: 'order#1' } } };
      account.faults.inject({
        service: 'dynamodb',
        operation: 'UpdateItem',
        times: 1,
        fault: { kind: 'http', statusCode: 400, errorCode: 'ConditionalCheckFailedException', fields: partial },
      });
      account.faults.inject({ service: 'dynamodb', operation: 'GetItem', times: 1, fault: { kind: 'reply', body: () => partial } });

      const error = await claim().then(
        () => undefined,
        (thrown: unknown) => thrown,
      );

      expect(error).to.include({ code: 'IDEMPOTENCY.CLAIM_RACE', category: 'TRANSIENT' });
    });

    it('stores exactly the record the domain decided for a takeover of a lease-expired claim', async () => {
      await claim();
      await store.recordOutcome('order#1', 'owner-a', { totalMinor: 100 }, NOW + 5);

      const decision = await claim({ ownerToken: 'owner-b', now: NOW + 30_000 });

      expect(decision).to.include({ kind: 'PROCEED', attempt: 2, resumed: true });
      expect(await store.get('order#1', NOW + 30_000)).to.deep.equal(decision.record);
    });
  });
});
