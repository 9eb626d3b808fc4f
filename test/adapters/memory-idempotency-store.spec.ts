import { expect } from 'chai';
import { MemoryIdempotencyStore } from '../../adapters/memory/memory-idempotency-store.js';
import { LeaseLostError, type ClaimRequest } from '../../domain/idempotency.js';
import { START } from './memory.fixtures.js';

describe('Class: MemoryIdempotencyStore', () => {
  const claim = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
    key: 'order#1',
    payloadHash: 'h',
    ownerToken: 'owner-a',
    now: START,
    leaseMs: 30_000,
    ttlSeconds: 60,
    ...overrides,
  });

  it('hands out copies: changing a returned record changes nothing stored', async () => {
    const store = new MemoryIdempotencyStore();
    const decision = await store.claim(claim());

    (decision.record as { status: string }).status = 'SUCCEEDED';
    const fetched = await store.get('order#1', START);
    (fetched as { attempts: number }).attempts = 99;

    expect(await store.get('order#1', START)).to.include({ status: 'INFLIGHT', attempts: 1 });
  });

  it('throws LeaseLostError to an owner whose record expired', async () => {
    const store = new MemoryIdempotencyStore();
    await store.claim(claim());

    let thrown: unknown;
    await store.complete('order#1', 'owner-a', START + 61_000).catch((error: unknown) => {
      thrown = error;
    });

    expect(thrown).to.be.instanceOf(LeaseLostError);
  });

  it('keeps expired records in the snapshot, as DynamoDB keeps them until TTL deletion', async () => {
    const store = new MemoryIdempotencyStore();
    await store.claim(claim());
    await store.claim(claim({ key: 'order#2' }));

    const keys = store.snapshot().map((record) => record.key);

    expect(keys).to.have.members(['order#1', 'order#2']);
    expect(await store.get('order#1', START + 61_000)).to.equal(undefined);
  });
});
