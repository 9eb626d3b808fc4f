import { expect } from 'chai';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { SpyStore } from './work-order-batch.fixtures.js';

describe('Class: WorkOrderBatch', () => {
  describe('Method: execute', () => {
    it('holds every record back without calling the store while the DynamoDB breaker is open', async () => {
      // Prepare: DynamoDB throttles three claims in a row, which opens its breaker (3 failures / 30 s)
      const store = new SpyStore();
      const fixture = new PipelineFixture({ store });
      const key = await fixture.accept(OrderMother.valid());
      store.failClaims = true;
      for (let round = 0; round < 3; round += 1) {
        const invocation = await fixture.deliver({ remainingTimeMs: 60_000 });
        expect(invocation?.result.batchItemFailures).to.have.length(1);
        if (round < 2) await fixture.advanceToNextVisible();
      }
      expect(fixture.breakers.state('dynamodb').status).to.equal('OPEN');
      expect(fixture.breakers.retryAfterMs('dynamodb')).to.be.greaterThan(0);
      const [failed] = fixture.orderQueue();
      expect(failed?.visibleAt, 'the claim that opened it returns when the probe is due, not after its backoff').to.be.at.least(
        fixture.clock.now() + fixture.breakers.retryAfterMs('dynamodb'),
      );
      // The edge reserves through the same breaker, so this environment's ingest refuses new orders while it
      // is open: the order arriving now was accepted by another environment, whose breaker was closed.
      const elsewhere = new PipelineFixture();
      const later = await elsewhere.accept(OrderMother.valid({ orderId: 'order-later' }));
      const [accepted] = elsewhere.receive(1);
      fixture.sendRaw(accepted!.body, accepted!.attributes);
      const claimsBefore = store.claims;

      // Act: an order that arrives while the breaker is open
      const held = await fixture.deliver({ remainingTimeMs: 60_000 });

      // Assess
      expect(held?.result.outcomes.map((o) => o.status)).to.deep.equal(['HELD']);
      expect(held?.result.batchItemFailures).to.deep.equal([held?.messages[0]?.messageId]);
      expect(store.claims, 'no call to DynamoDB while the breaker is open').to.equal(claimsBefore);
      const retryAfterMs = fixture.breakers.retryAfterMs('dynamodb');
      for (const waiting of fixture.orderQueue())
        expect(waiting.visibleAt, 'held until the breaker may probe again').to.be.at.least(fixture.clock.now() + retryAfterMs);

      // Act: DynamoDB recovers; once the breaker lets a probe through, the order is processed
      store.failClaims = false;
      await fixture.drain({ remainingTimeMs: 60_000 });

      // Assess
      expect((await fixture.record(key))?.status).to.equal('SUCCEEDED');
      expect((await fixture.record(later))?.status).to.equal('SUCCEEDED');
      expect(fixture.breakers.state('dynamodb').status).to.equal('CLOSED');
    });

    it('parks an unreadable message in the dead-letter queue with the VALIDATION category', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      fixture.sendRaw('{not json', { [MESSAGE_ATTRIBUTES.idempotencyKey]: 'k-broken' });

      // Act
      const invocation = await fixture.deliver();

      // Assess
      expect(invocation?.result.outcomes[0]).to.deep.include({
        status: 'PARKED',
        failure: { category: 'VALIDATION', code: 'MESSAGE.INVALID' },
      });
      expect(invocation?.result.batchItemFailures).to.deep.equal([]);
      expect(fixture.orderQueue()).to.deep.equal([]);
      const [parked] = fixture.deadLetters();
      expect(parked?.body).to.equal('{not json');
      expect(parked?.attributes).to.deep.include({
        [MESSAGE_ATTRIBUTES.errorCategory]: 'VALIDATION',
        [MESSAGE_ATTRIBUTES.errorCode]: 'MESSAGE.INVALID',
      });
    });

    for (const [name, failWith] of [
      ['the business step (transient)', { simulation: { kind: 'transient', times: 1 } as const }],
      ['the business step (permanent)', { simulation: { kind: 'permanent', times: 1 } as const }],
    ] as const) {
      it(`logs a failed attempt of ${name} with the request id, correlation id and order id`, async () => {
        // Prepare
        const fixture = new PipelineFixture();
        await fixture.accept(OrderMother.valid({ orderId: 'order-logged' }), {
          correlationId: 'corr-logged',
          simulation: failWith.simulation,
        });

        // Act
        await fixture.deliver({ requestId: 'req-logged', remainingTimeMs: 60_000 });

        // Assess
        const line = fixture.logger.linesAt('WARN').find((l) => l.message === 'order attempt failed');
        expect(line?.fields).to.deep.include({
          requestId: 'req-logged',
          correlationId: 'corr-logged',
          orderId: 'order-logged',
          attempt: 1,
        });
        expect(line?.fields?.error, 'the error text under a key no logger reserves').to.be.a('string').and.not.equal('');
        expect(line?.fields).to.not.have.any.keys('message', 'service', 'level', 'timestamp');
      });
    }

    it('does not start a record when the invocation is about to time out, and makes it visible again at once for another invocation', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid());

      // Act
      const invocation = await fixture.deliver({ remainingTimeMs: 1_000 });

      // Assess
      expect(invocation?.result.outcomes.map((o) => o.status)).to.deep.equal(['HELD']);
      expect(invocation?.result.batchItemFailures).to.have.length(1);
      expect((await fixture.record(key))?.status, 'not even claimed: the edge reservation only').to.equal('ACCEPTED');
      expect(fixture.orderQueue()[0]?.visibleAt, 'not left to the visibility timeout it was received with').to.be.at.most(
        fixture.clock.now(),
      );
    });
  });
});
