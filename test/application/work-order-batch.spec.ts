import { expect } from 'chai';
import { ClaimIdempotency } from '../../application/use-cases/claim-idempotency.js';
import { PublishOrder } from '../../application/use-cases/publish-order.js';
import { parseOrderMessage } from '../../application/orders/order-message.js';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { LeaseLostError } from '../../domain/idempotency.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { createEventsHandlerFor } from './work-order-batch.fixtures.js';

describe('Class: WorkOrderBatch', () => {
  describe('Method: execute', () => {
    it('processes a fresh order: record SUCCEEDED with the outcome and its OrderProcessed in the outbox, message deleted, no bus call', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid(), { correlationId: 'corr-happy-1' });

      // Act
      const invocation = await fixture.deliver();

      // Assess
      expect(invocation?.result.batchItemFailures).to.deep.equal([]);
      expect(invocation?.result.outcomes.map((o) => o.status)).to.deep.equal(['SUCCEEDED']);
      const record = await fixture.record(key);
      expect(record).to.deep.include({ status: 'SUCCEEDED', attempts: 1, orderId: 'order-0001', correlationId: 'corr-happy-1' });
      expect(record?.outcome).to.deep.include({ orderId: 'order-0001', currency: 'EUR', totalMinor: 4_498 });
      expect(record?.ownerToken, 'the lease is released on completion').to.equal(undefined);
      expect(
        record?.outbox?.map((entry) => [entry.detailType, entry.deliveredAt]),
        'OrderPublished by the claim, OrderProcessed with the outcome, neither delivered yet',
      ).to.deep.equal([
        [EVENT_TYPES.published, undefined],
        [EVENT_TYPES.processed, undefined],
      ]);
      expect(fixture.events(EVENT_TYPES.processed), 'the worker never calls the bus').to.deep.equal([]);
      expect(await fixture.relayOutbox()).to.deep.equal([]);
      const processed = fixture.events(EVENT_TYPES.processed);
      expect(processed).to.have.length(1);
      expect(processed[0]?.detail).to.deep.include({ orderId: 'order-0001', correlationId: 'corr-happy-1', idempotencyKey: key });
      expect(processed[0]?.eventId).to.equal(record?.outbox?.[1]?.eventId);
      expect(fixture.events(EVENT_TYPES.published).map((event) => event.eventId)).to.deep.equal([record?.outbox?.[0]?.eventId]);
      expect(
        (await fixture.record(key))?.outbox?.map((entry) => typeof entry.deliveredAt),
        'marked delivered by the relay',
      ).to.deep.equal(['number', 'number']);
      expect(fixture.orderQueue(), 'the event source deleted the message').to.deep.equal([]);
      expect(fixture.deadLetters()).to.deep.equal([]);
    });

    it('acknowledges a second delivery of a processed order without running the business step again', async () => {
      // Prepare: the same order published twice (a client retry that slipped past the edge check)
      const fixture = new PipelineFixture();
      const order = OrderMother.valid();
      const key = await fixture.accept(order, { idempotencyKey: 'client-key-dup' });
      await fixture.deliver();
      fixture.sendCopy(order, { correlationId: 'corr-again', idempotencyKey: 'client-key-dup' });

      // Act
      const second = await fixture.deliver();

      // Assess
      expect(second?.result.outcomes).to.deep.equal([{ messageId: second?.messages[0]?.messageId, status: 'DUPLICATE' }]);
      expect(second?.result.batchItemFailures).to.deep.equal([]);
      expect(fixture.metrics.total('OrdersProcessed'), 'business step ran once').to.equal(1);
      await fixture.relayOutbox();
      expect(fixture.events(EVENT_TYPES.processed)).to.have.length(1);
      expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 1 });
      expect(fixture.orderQueue()).to.deep.equal([]);
    });

    it('lets exactly one of two concurrent workers process the same order; the other returns its record', async () => {
      // Prepare: two copies of one order on the queue, received by two invocations at once
      const fixture = new PipelineFixture();
      const order = OrderMother.valid();
      await fixture.get(PublishOrder).execute({ order, correlationId: 'corr-c', idempotencyKey: 'same-key' });
      fixture.sendCopy(order, { correlationId: 'corr-c', idempotencyKey: 'same-key' });
      const [first, second] = fixture.receive(10);
      expect(first).to.not.equal(undefined);
      expect(second).to.not.equal(undefined);

      // Act
      const [a, b] = await Promise.all([
        fixture.work([first!], { requestId: 'worker-a', remainingTimeMs: 60_000 }),
        fixture.work([second!], { requestId: 'worker-b', remainingTimeMs: 60_000 }),
      ]);

      // Assess
      expect(a.result.outcomes[0]?.status).to.equal('SUCCEEDED');
      expect(b.result.outcomes[0]?.status).to.equal('RETRY');
      expect(b.result.batchItemFailures).to.deep.equal([second!.messageId]);
      expect(fixture.metrics.total('OrdersProcessed')).to.equal(1);
      await fixture.relayOutbox();
      expect(fixture.events(EVENT_TYPES.processed)).to.have.length(1);
      const returned = fixture.orderQueue();
      expect(
        returned.map((m) => m.messageId),
        'only the loser stays on the queue',
      ).to.deep.equal([second!.messageId]);
      expect(returned[0]?.visibleAt, 'held back for the rest of the lease').to.be.greaterThan(fixture.clock.now());

      // When it comes back, the order has succeeded: acknowledged, not processed again
      await fixture.drain();
      expect(fixture.metrics.total('OrdersProcessed')).to.equal(1);
      expect(fixture.orderQueue()).to.deep.equal([]);
    });

    it('takes over from a worker that died mid-message once its lease expired, as attempt 2', async () => {
      // Prepare: a worker claimed the order and was never heard of again
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid());
      const [message] = fixture.receive(1);
      const parsed = parseOrderMessage(message!);
      if (!parsed.ok) throw new Error('fixture message must parse');
      const dead = await fixture
        .get(ClaimIdempotency)
        .execute({ envelope: parsed.envelope, ownerToken: 'dead-worker', remainingTimeMs: 45_000, messageId: 'msg-dead' });
      expect(dead.kind).to.equal('PROCEED');
      const leaseExpiresAt = (await fixture.record(key))?.leaseExpiresAt ?? 0;

      // Act: the message reappears after the visibility timeout, while the lease still holds …
      await fixture.advanceToNextVisible();
      expect(fixture.clock.now()).to.be.lessThan(leaseExpiresAt);
      const early = await fixture.deliver({ remainingTimeMs: 60_000 });
      // … and again once it expired
      const invocations = await fixture.drain({ remainingTimeMs: 60_000 });

      // Assess
      expect(early?.result.outcomes[0]?.status, 'a live lease is respected').to.equal('RETRY');
      expect(invocations.flatMap((i) => i.result.outcomes.map((o) => o.status))).to.deep.equal(['SUCCEEDED']);
      expect(fixture.clock.now()).to.be.at.least(leaseExpiresAt);
      expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 2 });
      expect(fixture.metrics.total('OrdersProcessed')).to.equal(1);
      // The dead worker waking up late cannot overwrite the new owner's result
      const late = await fixture.infrastructure.store.complete(key, 'dead-worker', fixture.clock.now()).catch((error: unknown) => error);
      expect(late).to.be.instanceOf(LeaseLostError);
    });

    it('succeeds although EventBridge refuses every event: the order is committed, its OrderProcessed waits in the outbox and goes out once the bus recovers', async () => {
      // Prepare: EventBridge refuses OrderProcessed entries (retries of the bus included)
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid(), { correlationId: 'corr-ev' });
      fixture.infrastructure.bus.failWhen((event) => (event.detailType === EVENT_TYPES.processed ? 'InternalFailure' : undefined));

      // Act
      const first = await fixture.deliver({ remainingTimeMs: 60_000 });
      const failedRelay = await fixture.relayOutbox();

      // Assess: the order's fate did not wait for the bus
      expect(first?.result.batchItemFailures).to.deep.equal([]);
      expect(first?.result.outcomes[0]).to.deep.include({ status: 'SUCCEEDED' });
      const committed = await fixture.record(key);
      expect(committed).to.deep.include({ status: 'SUCCEEDED', attempts: 1 });
      expect(failedRelay, 'the relay reports the change for the pipe to retry').to.have.length(1);
      expect(committed?.outbox?.find((entry) => entry.detailType === EVENT_TYPES.processed)?.deliveredAt).to.equal(undefined);
      expect(fixture.events(EVENT_TYPES.processed)).to.deep.equal([]);

      // Act: EventBridge recovers; the pipe retries the same stream record
      fixture.infrastructure.bus.clearFailures();
      const replayed = await createEventsHandlerFor(fixture)(committed!);

      // Assess
      expect(replayed.batchItemFailures).to.deep.equal([]);
      expect(fixture.metrics.total('OrdersProcessed'), 'business step ran once').to.equal(1);
      const processed = fixture.events(EVENT_TYPES.processed);
      expect(processed).to.have.length(1);
      expect(processed[0]?.detail).to.deep.include({ correlationId: 'corr-ev', outcome: committed?.outcome });
      expect((await fixture.record(key))?.outbox?.find((entry) => entry.detailType === EVENT_TYPES.processed)?.deliveredAt).to.be.a(
        'number',
      );
      expect(fixture.orderQueue()).to.deep.equal([]);
    });

    it('returns only the failed records of a mixed batch and deletes the rest', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const good = await fixture.accept(OrderMother.valid({ orderId: 'order-good' }));
      const flaky = await fixture.accept(OrderMother.valid({ orderId: 'order-flaky' }), { simulation: { kind: 'transient', times: 1 } });
      const bad = await fixture.accept(OrderMother.valid({ orderId: 'order-bad' }), {
        simulation: { kind: 'permanent', times: Number.MAX_SAFE_INTEGER },
      });
      const messages = fixture.receive(10);
      expect(messages).to.have.length(3);
      const idOf = (orderId: string): string => messages.find((m) => m.attributes[MESSAGE_ATTRIBUTES.orderId] === orderId)!.messageId;

      // Act
      const invocation = await fixture.work(messages, { remainingTimeMs: 60_000 });

      // Assess
      expect(invocation.result.batchItemFailures).to.deep.equal([idOf('order-flaky')]);
      expect(invocation.deleted).to.have.members([idOf('order-good'), idOf('order-bad')]);
      expect((await fixture.record(good))?.status).to.equal('SUCCEEDED');
      expect((await fixture.record(flaky))?.status).to.equal('RETRY');
      expect(await fixture.record(bad)).to.deep.include({
        status: 'PARKED',
        lastError: { category: 'PERMANENT', code: 'SIMULATED.PERMANENT' },
      });
      expect(fixture.deadLetters().map((m) => m.attributes[MESSAGE_ATTRIBUTES.errorCategory])).to.deep.equal(['PERMANENT']);
      expect((await fixture.record(bad))?.parkedMessage?.body, 'the message is kept for a replay').to.equal(fixture.deadLetters()[0]?.body);
      await fixture.relayOutbox();
      expect(fixture.events(EVENT_TYPES.failed).map((e) => e.detail.orderId)).to.deep.equal(['order-bad']);
    });

    it('parks again, instead of acknowledging, a message whose record is PARKED but which never reached the DLQ', async () => {
      // Prepare: a permanent failure while the DLQ refuses every send; the record is PARKED, the message stays
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid({ orderId: 'order-unparked' }), {
        simulation: { kind: 'permanent', times: Number.MAX_SAFE_INTEGER },
      });
      fixture.infrastructure.sqs.deleteQueue(fixture.deadLetterQueueName);
      const first = await fixture.work(fixture.receive(1), { remainingTimeMs: 60_000 });
      expect(first.result.batchItemFailures, 'kept on the order queue').to.have.length(1);
      expect((await fixture.record(key))?.status).to.equal('PARKED');

      // Act: the DLQ is back; the message comes round again
      fixture.infrastructure.sqs.createQueue(fixture.deadLetterQueueName, { visibilityTimeoutSeconds: 30 });
      await fixture.clock.advance(31_000);
      const second = await fixture.work(fixture.receive(1), { remainingTimeMs: 60_000 });

      // Assess: parked with the record's failure, deleted from the order queue, not counted as a duplicate
      expect(second.result.outcomes[0]).to.deep.include({
        status: 'PARKED',
        failure: { category: 'PERMANENT', code: 'SIMULATED.PERMANENT' },
      });
      expect(second.deleted).to.have.length(1);
      expect(
        fixture.deadLetters().map((m) => [m.attributes[MESSAGE_ATTRIBUTES.errorCategory], m.attributes[MESSAGE_ATTRIBUTES.errorCode]]),
      ).to.deep.equal([['PERMANENT', 'SIMULATED.PERMANENT']]);
      expect(fixture.metrics.total('DuplicatesSuppressed')).to.equal(0);
    });

    it('retries a transient failure with backoff through the visibility timeout and then succeeds', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid(), { simulation: { kind: 'transient', times: 2 } });

      // Act
      const invocations = await fixture.drain({ remainingTimeMs: 60_000 });

      // Assess
      expect(invocations.flatMap((i) => i.result.outcomes.map((o) => o.status))).to.deep.equal(['RETRY', 'RETRY', 'SUCCEEDED']);
      expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 3 });
      expect(fixture.deadLetters()).to.deep.equal([]);
    });
  });
});
