import 'reflect-metadata';
import { expect } from 'chai';
import { Container } from 'inversify';
import { TOKENS } from '../../application/tokens.js';
import { WorkOrderBatch } from '../../application/use-cases/work-order-batch.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { RecordingMetrics } from '../../adapters/observability/recording-metrics.js';
import { MESSAGE_ATTRIBUTES } from '../../domain/dead-letter-analysis.js';
import { createWorkerHandler, toQueueMessage } from '../../handlers/worker.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { sqsOrderBatch } from './lambda-events.js';
import { lambdaContext, toSqsEvent } from '../support/sqs-events.js';

describe('Function: worker handler (SQS event, ReportBatchItemFailures)', () => {
  it('returns only the failed message ids of a mixed batch, as { itemIdentifier }', async () => {
    // Prepare: a valid order, one that fails its first attempt, one with a truncated body
    const fixture = new PipelineFixture();
    const event = sqsOrderBatch();
    const [good, flaky, broken] = event.Records;

    // Act
    const response = await createWorkerHandler(() => fixture.container)(event, lambdaContext('c0ffee00-0000-4000-8000-000000000001'));

    // Assess
    expect(response).to.deep.equal({ batchItemFailures: [{ itemIdentifier: flaky!.messageId }] });
    expect((await fixture.record('key-good'))?.status).to.equal('SUCCEEDED');
    expect((await fixture.record('key-flaky'))?.status).to.equal('RETRY');
    const [parked] = fixture.deadLetters();
    expect(parked?.body, 'the broken record was parked, not returned').to.equal(broken!.body);
    expect(parked?.attributes).to.deep.include({ [MESSAGE_ATTRIBUTES.errorCategory]: 'VALIDATION', [MESSAGE_ATTRIBUTES.attempts]: '3' });
    expect(good).to.not.equal(undefined);
    expect(fixture.metrics.flushes(), 'metrics written once per invocation').to.equal(1);
    expect(fixture.events('OrderProcessed'), 'the worker leaves announcing to the outbox relay').to.deep.equal([]);
    await fixture.relayOutbox();
    expect(fixture.events('OrderProcessed').map((e) => e.detail.correlationId)).to.deep.equal(['corr-good']);
  });

  it('reads the message attributes and ApproximateReceiveCount of an SQS record', () => {
    const [, , broken] = sqsOrderBatch().Records;

    const message = toQueueMessage(broken!);

    expect(message).to.deep.equal({
      messageId: broken!.messageId,
      receiptHandle: broken!.receiptHandle,
      body: broken!.body,
      attributes: { orderId: 'order-0003', idempotencyKey: 'key-broken', correlationId: 'corr-broken', schemaVersion: '1' },
      receiveCount: 3,
      sentAt: 1_767_225_600_000,
    });
  });

  it('lets the event source delete exactly the records it did not return, end to end', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    await fixture.accept(OrderMother.valid({ orderId: 'order-a' }));
    await fixture.accept(OrderMother.valid({ orderId: 'order-b' }), { simulation: { kind: 'transient', times: 1 } });
    const messages = fixture.receive(10);

    // Act
    const response = await createWorkerHandler(() => fixture.container)(toSqsEvent(messages), lambdaContext('req-e2e'));
    fixture.deleteSucceeded(
      messages,
      response.batchItemFailures.map((failure) => failure.itemIdentifier),
    );

    // Assess
    const flaky = messages.find((m) => m.attributes.orderId === 'order-b');
    expect(response.batchItemFailures).to.deep.equal([{ itemIdentifier: flaky?.messageId }]);
    expect(fixture.orderQueue().map((m) => m.messageId)).to.deep.equal([flaky?.messageId]);
  });

  it('returns every record, rather than throwing, when the batch fails unexpectedly', async () => {
    // Prepare: a container whose worker use case blows up
    const logger = new RecordingLogger();
    const metrics = new RecordingMetrics();
    const broken = new Container();
    broken.bind(WorkOrderBatch).toConstantValue({ execute: () => Promise.reject(new Error('bug')) } as unknown as WorkOrderBatch);
    broken.bind(TOKENS.Logger).toConstantValue(logger);
    broken.bind(TOKENS.Metrics).toConstantValue(metrics);
    const event = sqsOrderBatch();

    // Act
    const response = await createWorkerHandler(() => broken)(event, lambdaContext('req-bug'));

    // Assess
    expect(response.batchItemFailures).to.deep.equal(event.Records.map((r) => ({ itemIdentifier: r.messageId })));
    expect(logger.linesAt('ERROR')).to.have.length(1);
    expect(metrics.flushes()).to.equal(1);
  });
});
