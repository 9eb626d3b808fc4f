import { expect } from 'chai';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { RedriveDeadLetters } from '../../application/use-cases/redrive-dead-letters.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { PERMANENT } from './redrive-dead-letters.fixtures.js';

describe('Class: RedriveDeadLetters', () => {
  describe('Method: execute', () => {
    it('does not park the record of another order when parking a message that reused its key', async () => {
      // Prepare: order A waits for its retry under key k; order B reuses k and the worker parks it (CONFLICT)
      const fixture = new PipelineFixture();
      await fixture.accept(OrderMother.valid({ orderId: 'order-a' }), { idempotencyKey: 'k', simulation: { kind: 'transient', times: 1 } });
      await fixture.deliver();
      expect((await fixture.record('k'))?.status).to.equal('RETRY');
      fixture.sendCopy(OrderMother.valid({ orderId: 'order-b' }), { correlationId: 'corr-b', idempotencyKey: 'k' });
      const [b] = fixture.receive(10).filter((m) => m.attributes[MESSAGE_ATTRIBUTES.orderId] === 'order-b');
      await fixture.work([b!]);
      expect(fixture.deadLetters()).to.have.length(1);

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess: B is parked and announced; A keeps its retry, and gets it
      expect(report).to.deep.include({ parked: 1 });
      expect((await fixture.record('k'))?.status).to.equal('RETRY');
      await fixture.drain({ remainingTimeMs: 60_000 });
      expect(await fixture.record('k')).to.deep.include({ status: 'SUCCEEDED', orderId: 'order-a' });
    });

    it('stops at the message budget and leaves the rest for the next run', async () => {
      // Prepare
      const fixture = new PipelineFixture({ env: { REDRIVE_MESSAGE_BUDGET: '12' } });
      for (let i = 0; i < 15; i += 1) {
        fixture.infrastructure.sqs.sendMessage(fixture.deadLetterQueueName, {
          body: `{"n":${i}}`,
          attributes: { [MESSAGE_ATTRIBUTES.errorCategory]: 'PERMANENT' },
        });
      }

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess
      expect(report).to.deep.include({ received: 12, parked: 12, stoppedBy: 'message-budget' });
      expect(fixture.deadLetters()).to.have.length(3);
    });

    it('stops at the time budget', async () => {
      // Prepare: every delivered event costs 2 s of the 1 s budget
      const fixture = new PipelineFixture({ env: { REDRIVE_TIME_BUDGET_MS: '1000' } });
      for (let i = 0; i < 15; i += 1) {
        fixture.infrastructure.sqs.sendMessage(fixture.deadLetterQueueName, {
          body: `{"n":${i}}`,
          attributes: { [MESSAGE_ATTRIBUTES.errorCategory]: 'PERMANENT' },
        });
      }
      fixture.infrastructure.bus.subscribe(() => void fixture.clock.advance(2_000));

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess
      expect(report).to.deep.include({ received: 10, parked: 10, stoppedBy: 'time-budget' });
      expect(fixture.deadLetters()).to.have.length(5);
    });

    it('leaves a message in the DLQ when its OrderParked event is not delivered', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      fixture.infrastructure.sqs.sendMessage(fixture.deadLetterQueueName, {
        body: '{}',
        attributes: { [MESSAGE_ATTRIBUTES.errorCategory]: 'PERMANENT' },
      });
      fixture.infrastructure.bus.failWhen(() => 'AccessDeniedException');

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess
      expect(report).to.deep.include({ received: 1, parked: 0, leftInQueue: 1 });
      expect(fixture.deadLetters()).to.have.length(1);
    });

    it("parks for good while EventBridge refuses everything: the OrderParked waits in the record's outbox, the DLQ copy goes", async () => {
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid({ orderId: 'order-bus-down' }), { simulation: PERMANENT });
      await fixture.drain();
      fixture.infrastructure.bus.failWhen(() => 'InternalFailure');

      const report = await fixture.get(RedriveDeadLetters).execute();

      expect(report).to.deep.include({ parked: 1, leftInQueue: 0 });
      expect(fixture.deadLetters()).to.deep.equal([]);
      expect((await fixture.committedEvents(key, EVENT_TYPES.parked)).map((entry) => entry.deliveredAt)).to.deep.equal([undefined]);
      fixture.infrastructure.bus.clearFailures();
      await fixture.relayOutbox();
      expect(fixture.events(EVENT_TYPES.parked).map((event) => event.detail.body)).to.have.length(1);
    });

    it("deletes a DLQ copy older than the order's last replay: the replayed copy carries the order now", async () => {
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid(), { simulation: PERMANENT });
      await fixture.drain();
      const record = await fixture.record(key);
      await fixture.infrastructure.store.replay(record!, [], fixture.clock.now());

      const report = await fixture.get(RedriveDeadLetters).execute();

      expect(report).to.deep.include({ received: 1, duplicatesRemoved: 1, parked: 0, redriven: 0 });
      expect(await fixture.record(key)).to.deep.include({ status: 'RETRY', replays: 1 });
      expect(fixture.deadLetters()).to.deep.equal([]);
    });
  });
});
