import { expect } from 'chai';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { createRedriveHandler } from '../../handlers/redrive.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { scheduledEvent, schedulerInvocation } from './lambda-events.js';

describe('Function: redrive handler', () => {
  for (const [name, event] of [
    ['an EventBridge scheduled event', scheduledEvent()],
    ['an EventBridge Scheduler invocation', schedulerInvocation()],
  ] as const) {
    it(`returns the redrive report when invoked by ${name}, and writes the metrics`, async () => {
      // Prepare: one message to park, one to redrive
      const fixture = new PipelineFixture();
      const dlq = fixture.deadLetterQueueName;
      fixture.infrastructure.sqs.sendMessage(dlq, { body: '{}', attributes: { [MESSAGE_ATTRIBUTES.errorCategory]: 'PERMANENT' } });
      fixture.infrastructure.sqs.sendMessage(dlq, { body: '{}', attributes: { [MESSAGE_ATTRIBUTES.errorCategory]: 'TRANSIENT' } });

      // Act
      const report = await createRedriveHandler(() => fixture.container)(event);

      // Assess
      expect(report).to.deep.equal({
        received: 2,
        redriven: 1,
        parked: 1,
        duplicatesRemoved: 0,
        leftInQueue: 0,
        parkedByCategory: { PERMANENT: 1 },
        stoppedBy: 'empty',
        // The same schedule sweeps reservations whose message never left: none here.
        reservations: { found: 0, sent: 0, released: 0, failed: 0 },
      });
      expect(fixture.deadLetters()).to.deep.equal([]);
      expect(fixture.orderQueue()).to.have.length(1);
      expect(fixture.metrics.flushes()).to.equal(1);
    });
  }

  it('reports an empty run', async () => {
    const fixture = new PipelineFixture();

    const report = await createRedriveHandler(() => fixture.container)(scheduledEvent());

    expect(report).to.deep.include({ received: 0, redriven: 0, parked: 0, stoppedBy: 'empty' });
  });

  it('runs the outbox redelivery, then the DLQ redrive, from the one scheduled input', async () => {
    const fixture = new PipelineFixture({ env: { OUTBOX_SWEEP_AGE_SECONDS: '60' } });
    const key = await fixture.accept(OrderMother.valid());
    await fixture.deliver({ remainingTimeMs: 60_000 });
    fixture.infrastructure.sqs.sendMessage(fixture.deadLetterQueueName, {
      body: '{}',
      attributes: { [MESSAGE_ATTRIBUTES.errorCategory]: 'PERMANENT' },
    });
    await fixture.clock.advance(61_000);

    const report = await createRedriveHandler(() => fixture.container)({ action: 'scheduled' });

    expect(report.redelivery, 'its OrderPublished and OrderProcessed').to.deep.include({ swept: 1, delivered: 2, failed: 0, unmarked: 0 });
    expect(report.redrive).to.deep.include({ received: 1, parked: 1 });
    expect(fixture.events(EVENT_TYPES.processed).map((event) => event.detail.idempotencyKey)).to.deep.equal([key]);
  });
});
