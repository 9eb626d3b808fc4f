import { expect } from 'chai';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { RedriveDeadLetters } from '../../application/use-cases/redrive-dead-letters.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { PERMANENT } from './redrive-dead-letters.fixtures.js';

describe('Class: RedriveDeadLetters', () => {
  describe('Method: execute', () => {
    it('parks a poison message: record PARKED with its category and, in the same write, OrderParked carrying the body; DLQ empty', async () => {
      // Prepare: a permanent failure, parked in the DLQ by the worker
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid({ orderId: 'order-poison' }), {
        correlationId: 'corr-poison',
        simulation: PERMANENT,
      });
      await fixture.drain();
      const [dead] = fixture.deadLetters();
      expect(dead, 'the worker parked it').to.not.equal(undefined);

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess
      expect(report).to.deep.include({ received: 1, parked: 1, redriven: 0, leftInQueue: 0, stoppedBy: 'empty' });
      expect(report.parkedByCategory).to.deep.equal({ PERMANENT: 1 });
      expect(await fixture.record(key)).to.deep.include({ status: 'PARKED' });
      expect((await fixture.record(key))?.lastError?.category).to.equal('PERMANENT');
      expect(
        (await fixture.committedEvents(key, EVENT_TYPES.parked)).map((entry) => entry.deliveredAt),
        'committed with the park',
      ).to.deep.equal([undefined]);
      await fixture.relayOutbox();
      const [parked] = fixture.events(EVENT_TYPES.parked);
      expect(parked?.detail).to.deep.include({
        orderId: 'order-poison',
        correlationId: 'corr-poison',
        idempotencyKey: key,
        category: 'PERMANENT',
        body: dead?.body,
        messageId: dead?.messageId,
      });
      expect(fixture.deadLetters()).to.deep.equal([]);
      expect(fixture.orderQueue()).to.deep.equal([]);
    });

    it("keeps the worker's error code on the parked record", async () => {
      // Prepare
      const fixture = new PipelineFixture();
      const key = await fixture.accept(OrderMother.valid(), { simulation: PERMANENT });
      await fixture.drain();

      // Act
      await fixture.get(RedriveDeadLetters).execute();

      // Assess
      expect((await fixture.record(key))?.lastError).to.deep.equal({ category: 'PERMANENT', code: 'SIMULATED.PERMANENT' });
    });

    it('parks an unreadable message with its raw body in the OrderParked event', async () => {
      // Prepare
      const fixture = new PipelineFixture();
      fixture.sendRaw('{"schemaVersion": "1", "order": ', { [MESSAGE_ATTRIBUTES.correlationId]: 'corr-garbage' });
      await fixture.drain();

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess
      expect(report).to.deep.include({ parked: 1, redriven: 0 });
      expect(report.parkedByCategory).to.deep.equal({ VALIDATION: 1 });
      const [parked] = fixture.events(EVENT_TYPES.parked);
      expect(parked?.detail).to.deep.include({
        body: '{"schemaVersion": "1", "order": ',
        category: 'VALIDATION',
        correlationId: 'corr-garbage',
      });
      expect(fixture.deadLetters()).to.deep.equal([]);
    });

    it('redrives a transient failure that SQS dead-lettered after maxReceiveCount, with a delay and its redrive attempt, and it then succeeds', async () => {
      // Prepare: fails 5 times; the queue's redrive policy (maxReceiveCount 5) moves it to the DLQ on the 6th receive
      const fixture = new PipelineFixture({ env: { BACKOFF_STRATEGY: 'seed' }, queues: { maxReceiveCount: 5 } });
      const key = await fixture.accept(OrderMother.valid(), { correlationId: 'corr-t', simulation: { kind: 'transient', times: 5 } });
      const attempts = await fixture.drain({ remainingTimeMs: 60_000 });
      expect(attempts.flatMap((i) => i.result.outcomes.map((o) => o.status))).to.deep.equal(['RETRY', 'RETRY', 'RETRY', 'RETRY', 'RETRY']);
      const [dead] = fixture.deadLetters();
      expect(dead?.receiveCount, 'moved by SQS, not parked by the worker').to.equal(5);
      expect(dead?.attributes[MESSAGE_ATTRIBUTES.errorCategory]).to.equal(undefined);
      expect((await fixture.record(key))?.status).to.equal('RETRY');

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess: back on the order queue, delayed, carrying its redrive attempt
      expect(report).to.deep.include({ received: 1, redriven: 1, parked: 0, leftInQueue: 0 });
      expect(fixture.deadLetters()).to.deep.equal([]);
      const [redriven] = fixture.orderQueue();
      expect(redriven?.state).to.equal('DELAYED');
      const delaySeconds = ((redriven?.visibleAt ?? 0) - fixture.clock.now()) / 1000;
      expect(delaySeconds).to.be.within(1, 900);
      expect(redriven?.attributes).to.deep.include({ [MESSAGE_ATTRIBUTES.redriveAttempt]: '1', [MESSAGE_ATTRIBUTES.idempotencyKey]: key });
      expect(redriven?.body).to.equal(dead?.body);
      expect(fixture.receive(10), 'not receivable before its delay').to.deep.equal([]);

      // Act: time passes; the worker gets it again
      const after = await fixture.drain({ remainingTimeMs: 60_000 });

      // Assess
      expect(after.flatMap((i) => i.result.outcomes.map((o) => o.status))).to.deep.equal(['SUCCEEDED']);
      expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 6 });
      await fixture.relayOutbox();
      expect(fixture.events(EVENT_TYPES.processed)[0]?.detail).to.deep.include({ correlationId: 'corr-t' });
    });

    it("strips the worker's failure attributes from a redriven copy", async () => {
      // Prepare: a DLQ message carrying a retryable category and attempt count
      const fixture = new PipelineFixture();
      await fixture.get(RedriveDeadLetters).execute();
      fixture.infrastructure.sqs.sendMessage(fixture.deadLetterQueueName, {
        body: '{}',
        attributes: {
          [MESSAGE_ATTRIBUTES.errorCategory]: 'TRANSIENT',
          [MESSAGE_ATTRIBUTES.errorCode]: 'X.Y',
          [MESSAGE_ATTRIBUTES.attempts]: '2',
          keep: 'me',
        },
      });

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess
      expect(report.redriven).to.equal(1);
      const [redriven] = fixture.orderQueue();
      const delaySeconds = ((redriven?.visibleAt ?? 0) - fixture.clock.now()) / 1000;
      expect(redriven?.attributes).to.deep.equal({
        keep: 'me',
        [MESSAGE_ATTRIBUTES.redriveAttempt]: '1',
        [MESSAGE_ATTRIBUTES.redriveDelaySeconds]: String(delaySeconds),
      });
    });

    it('grows a decorrelated-jitter delay from the delay the previous redrive recorded on the message', async () => {
      // Prepare: ten messages redriven before with a 300 s delay, ten never redriven
      const fixture = new PipelineFixture({
        env: { BACKOFF_STRATEGY: 'decorrelated-jitter', BACKOFF_BASE_SECONDS: '2', BACKOFF_CAP_SECONDS: '900' },
      });
      for (let i = 0; i < 20; i++) {
        const carried: Record<string, string> =
          i < 10 ? { [MESSAGE_ATTRIBUTES.redriveAttempt]: '1', [MESSAGE_ATTRIBUTES.redriveDelaySeconds]: '300' } : {};
        fixture.infrastructure.sqs.sendMessage(fixture.deadLetterQueueName, {
          body: '{}',
          attributes: { [MESSAGE_ATTRIBUTES.errorCategory]: 'TRANSIENT', which: i < 10 ? 'before' : 'first', ...carried },
        });
      }

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess: a first redrive draws from [2, 6] s; one after a 300 s delay from [2, 900] s, and records what it drew
      expect(report.redriven).to.equal(20);
      const delays = (which: string): number[] =>
        fixture
          .orderQueue()
          .filter((m) => m.attributes.which === which)
          .map((m) => {
            const delaySeconds = ((m.visibleAt ?? 0) - fixture.clock.now()) / 1000;
            expect(m.attributes[MESSAGE_ATTRIBUTES.redriveDelaySeconds]).to.equal(String(delaySeconds));
            return delaySeconds;
          });
      const first = delays('first');
      const before = delays('before');
      expect(first).to.have.length(10);
      expect(before).to.have.length(10);
      for (const delay of first) expect(delay).to.be.within(2, 6);
      for (const delay of before) expect(delay).to.be.within(2, 900);
      expect(Math.max(...before), 'the carried delay widens the draw').to.be.above(6);
    });

    it('parks a message whose redrive budget is spent', async () => {
      // Prepare
      const fixture = new PipelineFixture({ env: { REDRIVE_MAX_ATTEMPTS: '2' } });
      fixture.infrastructure.sqs.sendMessage(fixture.deadLetterQueueName, {
        body: '{}',
        attributes: { [MESSAGE_ATTRIBUTES.errorCategory]: 'TRANSIENT', [MESSAGE_ATTRIBUTES.redriveAttempt]: '2' },
      });

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess
      expect(report).to.deep.include({ redriven: 0, parked: 1 });
      expect(report.parkedByCategory).to.deep.equal({ TRANSIENT: 1 });
      expect(fixture.orderQueue()).to.deep.equal([]);
    });

    it('parks, instead of sending back to be dropped, an order the worker parked after its attempts ran out', async () => {
      // Prepare: TIMEOUT is retryable, but only 5 times; the worker parks the 5th failure with category TIMEOUT
      const fixture = new PipelineFixture({ queues: { maxReceiveCount: 10 } });
      const key = await fixture.accept(OrderMother.valid({ orderId: 'order-slow' }), { simulation: { kind: 'timeout', times: 99 } });
      await fixture.drain({ remainingTimeMs: 60_000 });
      expect(await fixture.record(key)).to.deep.include({ status: 'PARKED', attempts: 5 });
      expect(fixture.deadLetters().map((m) => m.attributes[MESSAGE_ATTRIBUTES.errorCategory])).to.deep.equal(['TIMEOUT']);

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();
      await fixture.drain({ remainingTimeMs: 60_000 });

      // Assess: an operator hears of it; nothing silently disappears
      expect(report).to.deep.include({ parked: 1, redriven: 0 });
      await fixture.relayOutbox();
      expect(fixture.events(EVENT_TYPES.parked).map((e) => e.detail.orderId)).to.deep.equal(['order-slow']);
      expect(fixture.deadLetters()).to.deep.equal([]);
    });

    it('deletes the DLQ copy of an order that has since succeeded, sending nothing', async () => {
      // Prepare: processed, and a stale copy of the same message sits in the DLQ
      const fixture = new PipelineFixture();
      await fixture.accept(OrderMother.valid());
      const [message] = fixture.receive(1);
      await fixture.work([message!]);
      fixture.infrastructure.sqs.sendMessage(fixture.deadLetterQueueName, { body: message!.body, attributes: message!.attributes });

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess
      expect(report).to.deep.include({ received: 1, duplicatesRemoved: 1, redriven: 0, parked: 0 });
      expect(fixture.deadLetters()).to.deep.equal([]);
      expect(fixture.orderQueue()).to.deep.equal([]);
      expect(fixture.events(EVENT_TYPES.parked)).to.deep.equal([]);
    });

    it('parks, and announces, a different order that reused the key of one that succeeded', async () => {
      // Prepare: order A succeeded under key k; order B arrives under the same key and the worker parks it (CONFLICT)
      const fixture = new PipelineFixture();
      await fixture.accept(OrderMother.valid({ orderId: 'order-a' }), { idempotencyKey: 'k' });
      await fixture.drain();
      fixture.sendCopy(OrderMother.valid({ orderId: 'order-b' }), { correlationId: 'corr-b', idempotencyKey: 'k' });
      const [conflict] = (await fixture.drain()).flatMap((i) => i.result.outcomes);
      expect(conflict).to.deep.include({ status: 'PARKED', failure: { category: 'VALIDATION', code: 'IDEMPOTENCY.KEY_REUSED' } });

      // Act
      const report = await fixture.get(RedriveDeadLetters).execute();

      // Assess: not mistaken for a copy of order A
      expect(report).to.deep.include({ parked: 1, duplicatesRemoved: 0 });
      expect(fixture.events(EVENT_TYPES.parked).map((e) => e.detail.orderId)).to.deep.equal(['order-b']);
      expect(await fixture.record('k')).to.deep.include({ status: 'SUCCEEDED', orderId: 'order-a' });
    });
  });
});
