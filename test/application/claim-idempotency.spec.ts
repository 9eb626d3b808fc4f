import { expect } from 'chai';
import { parseOrderMessage, type OrderEnvelope } from '../../application/orders/order-message.js';
import { fromOutboxEntry } from '../../application/events/outbox-events.js';
import { ClaimIdempotency } from '../../application/use-cases/claim-idempotency.js';
import { PublishOrder } from '../../application/use-cases/publish-order.js';
import { DEFAULT_LEASE_OPTIONS } from '../../domain/lease.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';

async function queuedEnvelope(fixture: PipelineFixture, idempotencyKey = 'key-1'): Promise<OrderEnvelope> {
  await fixture.get(PublishOrder).execute({ order: OrderMother.valid(), correlationId: 'corr-claim', idempotencyKey });
  const parsed = parseOrderMessage(fixture.receive(1)[0]!);
  if (!parsed.ok) throw new Error('queued message must parse');
  return parsed.envelope;
}

describe('Class: ClaimIdempotency', () => {
  describe('Method: execute', () => {
    it('grants the first claim with a lease ending before the invocation does, and the configured TTL', async () => {
      // Prepare
      const fixture = new PipelineFixture({ env: { IDEMPOTENCY_TTL_SECONDS: '3600' } });
      const envelope = await queuedEnvelope(fixture);
      const now = fixture.clock.now();

      // Act
      const decision = await fixture
        .get(ClaimIdempotency)
        .execute({ envelope, ownerToken: 'req-1:msg-1', remainingTimeMs: 20_000, messageId: 'msg-1' });

      // Assess
      expect(decision).to.deep.include({ kind: 'PROCEED', attempt: 1, resumed: false });
      expect(decision.record).to.deep.include({
        key: 'key-1',
        status: 'INFLIGHT',
        ownerToken: 'req-1:msg-1',
        payloadHash: envelope.body.payloadHash,
        leaseExpiresAt: now + 20_000 - DEFAULT_LEASE_OPTIONS.marginMs,
        expiresAt: Math.floor(now / 1000) + 3_600,
        orderId: 'order-0001',
        correlationId: 'corr-claim',
      });
      expect(fixture.metrics.total('IdempotencyMiss')).to.equal(1);
    });

    it('never grants a lease of 0 when the remaining time is 0 or unknown', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const first = await queuedEnvelope(fixture, 'key-a');
      const second = await queuedEnvelope(fixture, 'key-b');
      const now = fixture.clock.now();

      // Act
      const zero = await fixture
        .get(ClaimIdempotency)
        .execute({ envelope: first, ownerToken: 'o1', remainingTimeMs: 0, messageId: 'msg-1' });
      const unknown = await fixture
        .get(ClaimIdempotency)
        .execute({ envelope: second, ownerToken: 'o2', remainingTimeMs: undefined, messageId: 'msg-1' });

      // Assess
      expect(zero.record.leaseExpiresAt).to.equal(now + DEFAULT_LEASE_OPTIONS.fallbackMs);
      expect(unknown.record.leaseExpiresAt).to.equal(now + DEFAULT_LEASE_OPTIONS.fallbackMs);
    });

    it('answers IN_PROGRESS to a second claimant while the lease holds, counted as a hit', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const envelope = await queuedEnvelope(fixture);
      await fixture.get(ClaimIdempotency).execute({ envelope, ownerToken: 'first', remainingTimeMs: 20_000, messageId: 'msg-1' });
      await fixture.clock.advance(5_000);

      // Act
      const decision = await fixture
        .get(ClaimIdempotency)
        .execute({ envelope, ownerToken: 'second', remainingTimeMs: 20_000, messageId: 'msg-1' });

      // Assess
      expect(decision).to.deep.include({ kind: 'IN_PROGRESS', retryAfterMs: 14_000 });
      expect(fixture.metrics.total('IdempotencyHit')).to.equal(1);
    });

    it('commits OrderPublished to the outbox with the first claim only, stamped with the acceptance time and naming the claimed message', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const envelope = await queuedEnvelope(fixture);
      const claim = fixture.get(ClaimIdempotency);

      // Act
      const first = await claim.execute({ envelope, ownerToken: 'first', remainingTimeMs: 20_000, messageId: 'msg-1' });
      await fixture.clock.advance(30_000);
      const reclaimed = await claim.execute({ envelope, ownerToken: 'second', remainingTimeMs: 20_000, messageId: 'msg-2' });

      // Assess
      expect(first.kind).to.equal('PROCEED');
      expect(reclaimed).to.deep.include({ kind: 'PROCEED', attempt: 2 });
      const published = await fixture.committedEvents('key-1', 'OrderPublished');
      expect(published).to.have.length(1);
      expect(published[0]).to.deep.include({ time: envelope.body.acceptedAt, source: 'orders.pipeline' });
      // As the relay announces it: the entry leaves the ids the record holds (its key, the entry's eventId) to the record.
      const record = await fixture.record('key-1');
      expect(fromOutboxEntry(record!, published[0]!).detail).to.deep.include({
        messageId: 'msg-1',
        orderId: 'order-0001',
        idempotencyKey: 'key-1',
        correlationId: 'corr-claim',
      });
    });

    it('commits no OrderPublished for a copy refused by its claim (another payload, a finished order)', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const envelope = await queuedEnvelope(fixture);
      const tampered: OrderEnvelope = { ...envelope, body: { ...envelope.body, payloadHash: 'another-hash' } };

      // Act
      const decision = await fixture
        .get(ClaimIdempotency)
        .execute({ envelope: tampered, ownerToken: 'x', remainingTimeMs: 20_000, messageId: 'msg-x' });

      // Assess
      expect(decision.kind).to.equal('CONFLICT');
      expect(await fixture.committedEvents('key-1')).to.deep.equal([]);
    });

    it('answers CONFLICT to the same key with a different payload', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const envelope = await queuedEnvelope(fixture);
      await fixture.get(ClaimIdempotency).execute({ envelope, ownerToken: 'first', remainingTimeMs: 20_000, messageId: 'msg-1' });
      const tampered: OrderEnvelope = { ...envelope, body: { ...envelope.body, payloadHash: 'another-hash' } };

      // Act
      const decision = await fixture
        .get(ClaimIdempotency)
        .execute({ envelope: tampered, ownerToken: 'second', remainingTimeMs: 20_000, messageId: 'msg-1' });

      // Assess
      expect(decision.kind).to.equal('CONFLICT');
    });
  });
});
