import { expect } from 'chai';
import type { SQSRecord } from 'aws-lambda';
import { EVENT_TYPES } from '../../application/pipeline-events.js';
import { createEventsHandler } from '../../handlers/events.js';
import { createClaimHandler, createIdempotencyHandler } from '../../handlers/idempotency.js';
import { createProcessorHandler } from '../../handlers/processor.js';
import { createPublishHandler } from '../../handlers/publish.js';
import type { ConsumeState } from '../../handlers/step-input.js';
import { createValidateHandler } from '../../handlers/validate.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture, toSqsEvent } from '../support/pipeline-fixture.js';

/** One order-queue record as an EventBridge Pipe hands it to the consume workflow: a one-element array. */
async function queuedRecord(fixture: PipelineFixture, simulation?: { kind: 'transient'; times: number }): Promise<SQSRecord[]> {
  await fixture.accept(OrderMother.valid(), { correlationId: 'corr-step', ...(simulation === undefined ? {} : { simulation }) });
  return toSqsEvent(fixture.receive(1)).Records;
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(() => undefined, (error: unknown) => error);
  if (!(outcome instanceof Error)) throw new Error('expected the step to fail');
  return outcome;
}

describe('Step handlers of the orchestrated topology (Step Functions task inputs)', () => {
  it('claim → process → events: the record SUCCEEDED with the outcome and OrderProcessed published once', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const state: ConsumeState = { message: await queuedRecord(fixture), execution: { name: 'exec-1' } };

    // Act
    const claim = await createClaimHandler(containerOf)(state);
    const processed = await createProcessorHandler(containerOf)({ ...state, claim });
    const published = await createEventsHandler(containerOf)({ ...state, claim, processed });

    // Assess
    expect(claim.decision).to.deep.equal({ kind: 'PROCEED', attempt: 1, resumed: false });
    expect(claim.ownerToken).to.match(/^exec-1:/);
    expect(processed.outcome).to.deep.include({ totalMinor: 4_498 });
    const [event] = fixture.events(EVENT_TYPES.processed);
    expect(published).to.deep.equal({ eventId: event?.eventId });
    expect(event?.detail).to.deep.include({ correlationId: 'corr-step' });
    const key = (state.message as SQSRecord[])[0]?.messageAttributes.idempotencyKey?.stringValue ?? '';
    expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', outcome: processed.outcome });

    // A second execution for the same message is told it is done
    const again = await createClaimHandler(containerOf)({ ...state, execution: { name: 'exec-2' } });
    expect(again.decision.kind).to.equal('ALREADY_SUCCEEDED');
  });

  it('re-uses the recorded outcome when an execution dies after the business step', async () => {
    // Prepare: execution 1 processed, then never published (its events step exhausted its retries)
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const message = await queuedRecord(fixture);
    const first = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-1' } });
    await createProcessorHandler(containerOf)({ message, execution: { name: 'exec-1' }, claim: first });
    const processedBefore = fixture.metrics.total('OrdersProcessed');
    await fixture.clock.advance(61_000);

    // Act: the message comes back to a new execution after the lease ran out
    const second = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-2' } });
    const processed = await createProcessorHandler(containerOf)({ message, execution: { name: 'exec-2' }, claim: second });

    // Assess
    expect(second.decision).to.deep.include({ kind: 'PROCEED', attempt: 2, resumed: true });
    expect(second.recordedOutcome).to.deep.include({ totalMinor: 4_498 });
    expect(processed.outcome).to.deep.equal(second.recordedOutcome);
    expect(fixture.metrics.total('OrdersProcessed'), 'business step not run again').to.equal(processedBefore);
  });

  it('fails a step with the error name the workflow retries on (Pipeline.<CATEGORY>)', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const message = await queuedRecord(fixture, { kind: 'transient', times: 1 });
    const claim = await createClaimHandler(containerOf)({ message });

    // Act
    const error = await failureOf(createProcessorHandler(containerOf)({ message, claim }));

    // Assess
    expect(error.name).to.equal('Pipeline.TRANSIENT');
    expect(error.message).to.match(/^SIMULATED\.TRANSIENT: /);
  });

  it('fails the events step as Pipeline.<CATEGORY> when OrderProcessed is not delivered, leaving the claim open', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const message = await queuedRecord(fixture);
    const claim = await createClaimHandler(containerOf)({ message });
    const processed = await createProcessorHandler(containerOf)({ message, claim });
    fixture.infrastructure.bus.failWhen(() => 'AccessDeniedException');

    // Act
    const error = await failureOf(createEventsHandler(containerOf)({ message, claim, processed }));

    // Assess
    expect(error.name).to.equal('Pipeline.PERMANENT');
    const key = message[0]?.messageAttributes.idempotencyKey?.stringValue ?? '';
    expect((await fixture.record(key))?.status).to.equal('INFLIGHT');
  });

  it('release: records a retryable failure on the claim at once, keeping the outcome, and says RETRY', async () => {
    // Prepare: processed, then the events step failed transiently and the Catch put its error in the state
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const message = await queuedRecord(fixture);
    const claim = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-1' } });
    const processed = await createProcessorHandler(containerOf)({ message, claim });
    const error = { Error: 'Pipeline.TRANSIENT', Cause: JSON.stringify({ errorType: 'Pipeline.TRANSIENT', errorMessage: 'AWS.ThrottlingException: slow down' }) };

    // Act: the idempotency function, reached with the caught error, plays the release step
    const released = await createIdempotencyHandler(containerOf)({ message, claim, processed, error });

    // Assess: no lease left to wait for, the category on the record, the outcome kept for the next attempt
    expect(released).to.deep.equal({ verdict: 'RETRY', failure: { category: 'TRANSIENT', code: 'AWS.ThrottlingException' } });
    const key = message[0]?.messageAttributes.idempotencyKey?.stringValue ?? '';
    const record = await fixture.record(key);
    expect(record).to.deep.include({ status: 'RETRY', lastError: { category: 'TRANSIENT', code: 'AWS.ThrottlingException' }, outcome: processed.outcome });
    expect(record?.leaseExpiresAt).to.equal(undefined);
    const next = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-2' } });
    expect(next.decision).to.deep.include({ kind: 'PROCEED', attempt: 2, resumed: true });
  });

  it('release: parks the record when the category has spent its attempts, and says PARK', async () => {
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const message = await queuedRecord(fixture);
    const claim = await createClaimHandler(containerOf)({ message });
    // PROCESSING allows three attempts; this claim says it is the third
    const third = { ...claim, decision: { ...claim.decision, attempt: 3 } };
    const error = { Error: 'Pipeline.PROCESSING', Cause: JSON.stringify({ errorMessage: 'RULES.ENGINE_DOWN: no answer' }) };

    const released = await createIdempotencyHandler(containerOf)({ message, claim: third, error });

    expect(released).to.deep.equal({ verdict: 'PARK', failure: { category: 'PROCESSING', code: 'RULES.ENGINE_DOWN' } });
    const key = message[0]?.messageAttributes.idempotencyKey?.stringValue ?? '';
    expect(await fixture.record(key)).to.deep.include({ status: 'PARKED', lastError: { category: 'PROCESSING', code: 'RULES.ENGINE_DOWN' } });
  });

  it('claim: hands a PARKED record\'s failure to the workflow, which parks this copy again', async () => {
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const message = await queuedRecord(fixture);
    const claim = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-1' } });
    const error = { Error: 'Pipeline.PERMANENT', Cause: JSON.stringify({ errorMessage: 'SIMULATED.PERMANENT: no' }) };
    await createIdempotencyHandler(containerOf)({ message, claim, error });

    const again = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-2' } });

    expect(again.decision.kind).to.equal('PARKED');
    expect(again.lastError).to.deep.equal({ category: 'PERMANENT', code: 'SIMULATED.PERMANENT' });
  });

  it('fails as Pipeline.VALIDATION on a state with no queue record', async () => {
    const fixture = new PipelineFixture();

    const error = await failureOf(createClaimHandler(() => fixture.container)({ message: [] }));

    expect(error.name).to.equal('Pipeline.VALIDATION');
  });

  it('validate task: returns the order and totals, or fails as Pipeline.VALIDATION with every reason', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    const validate = createValidateHandler(() => fixture.container);

    // Act
    const valid = await validate({ request: OrderMother.valid() });
    const invalid = await failureOf(validate({ request: OrderMother.withDuplicateSku() }));

    // Assess
    expect(valid).to.deep.include({ order: OrderMother.valid() });
    expect(invalid.name).to.equal('Pipeline.VALIDATION');
    expect(invalid.message).to.include('ORDER.DUPLICATE_SKU');
  });

  it('publish task: queues the validated order with the execution name as correlation id', async () => {
    // Prepare
    const fixture = new PipelineFixture();

    // Act
    const result = await createPublishHandler(() => fixture.container)({ validated: { order: OrderMother.valid() }, execution: { name: 'ingest-exec-7' } });

    // Assess
    const [queued] = fixture.orderQueue();
    expect(result).to.have.property('messageId', queued?.messageId);
    expect(queued?.attributes).to.deep.include({ correlationId: 'ingest-exec-7' });
  });
});
