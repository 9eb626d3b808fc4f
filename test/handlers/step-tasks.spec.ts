import { expect } from 'chai';
import type { SQSRecord } from 'aws-lambda';
import { backoffPolicyOf } from '../../application/config/pipeline-config.js';
import { EVENT_TYPES } from '../../application/events/pipeline-events.js';
import { backoffEnvelope } from '../../domain/backoff.js';
import { createClaimHandler, createIdempotencyHandler, createReleaseHandler } from '../../handlers/idempotency.js';
import { createProcessorHandler } from '../../handlers/processor.js';
import { createPublishHandler } from '../../handlers/publish.js';
import type { ConsumeState } from '../../handlers/lambda-events/step-input.js';
import { createValidateHandler } from '../../handlers/validate.js';
import { OrderMother } from '../domain/order-mother.js';
import { PipelineFixture } from '../support/pipeline-fixture.js';
import { toSqsEvent } from '../support/sqs-events.js';

/** One order-queue record as an EventBridge Pipe hands it to the consume workflow: a one-element array. */
async function queuedRecord(fixture: PipelineFixture, simulation?: { kind: 'transient'; times: number }): Promise<SQSRecord[]> {
  await fixture.accept(OrderMother.valid(), { correlationId: 'corr-step', ...(simulation === undefined ? {} : { simulation }) });
  return toSqsEvent(fixture.receive(1)).Records;
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected the step to fail');
  return outcome;
}

describe('Step handlers of the orchestrated topology (Step Functions task inputs)', () => {
  it('claim → process: the record SUCCEEDED with the outcome and its OrderProcessed committed in one write, delivered by the relay', async () => {
    // Prepare
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const state: ConsumeState = { message: await queuedRecord(fixture), execution: { name: 'exec-1' } };

    // Act
    const claim = await createClaimHandler(containerOf)(state);
    const processed = await createProcessorHandler(containerOf)({ ...state, claim });

    // Assess
    expect(claim.decision).to.deep.equal({ kind: 'PROCEED', attempt: 1, resumed: false });
    expect(claim.ownerToken).to.match(/^exec-1:/);
    expect(processed.outcome).to.deep.include({ totalMinor: 4_498 });
    const key = (state.message as SQSRecord[])[0]?.messageAttributes.idempotencyKey?.stringValue ?? '';
    expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', outcome: processed.outcome });
    expect(
      (await fixture.committedEvents(key)).map((entry) => entry.detailType),
      'the claim commits OrderPublished, the processor OrderProcessed',
    ).to.deep.equal([EVENT_TYPES.published, EVENT_TYPES.processed]);
    expect(fixture.events(), 'no step calls the bus').to.deep.equal([]);
    await fixture.relayOutbox();
    const [event] = fixture.events(EVENT_TYPES.processed);
    expect(event?.detail).to.deep.include({ correlationId: 'corr-step' });

    // A second execution for the same message is told it is done
    const again = await createClaimHandler(containerOf)({ ...state, execution: { name: 'exec-2' } });
    expect(again.decision.kind).to.equal('ALREADY_SUCCEEDED');
  });

  it('completes with an outcome a previous attempt recorded, without running the business step again', async () => {
    // Prepare: execution 1 recorded its outcome under its claim and died before completing
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const message = await queuedRecord(fixture);
    const first = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-1' } });
    const key = message[0]?.messageAttributes.idempotencyKey?.stringValue ?? '';
    await fixture.infrastructure.store.recordOutcome(
      key,
      first.ownerToken,
      { orderId: 'order-0001', totalMinor: 4_498 },
      fixture.clock.now(),
    );
    await fixture.clock.advance(61_000);

    // Act: the message comes back to a new execution after the lease ran out
    const second = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-2' } });
    const processed = await createProcessorHandler(containerOf)({ message, execution: { name: 'exec-2' }, claim: second });

    // Assess
    expect(second.decision).to.deep.include({ kind: 'PROCEED', attempt: 2, resumed: true });
    expect(processed.outcome).to.deep.equal(second.recordedOutcome);
    expect(fixture.metrics.total('OrdersProcessed'), 'business step not run').to.equal(0);
    expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', outcome: processed.outcome });
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

  it("announces nothing for an execution that lost its lease: its completion fails, the new owner's outcome is the one announced", async () => {
    // Prepare: execution 1 claimed and stalled past its lease; execution 2 took the order over
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const message = await queuedRecord(fixture);
    const stalled = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-1' } });
    await fixture.clock.advance(61_000);
    const owner = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-2' } });

    // Act: the stalled execution's business step finishes late, then the owner's
    const error = await failureOf(createProcessorHandler(containerOf)({ message, execution: { name: 'exec-1' }, claim: stalled }));
    const key = message[0]?.messageAttributes.idempotencyKey?.stringValue ?? '';
    const afterLoser = await fixture.committedEvents(key);
    await createProcessorHandler(containerOf)({ message, execution: { name: 'exec-2' }, claim: owner });
    await fixture.relayOutbox();

    // Assess
    expect(error.name).to.equal('Pipeline.TRANSIENT');
    expect(error.message).to.match(/^IDEMPOTENCY\.LEASE_LOST: /);
    expect(
      afterLoser.map((entry) => entry.detailType),
      'only what the first claim committed: the stalled outcome announces nothing',
    ).to.deep.equal([EVENT_TYPES.published]);
    expect(fixture.events(EVENT_TYPES.processed)).to.have.length(1);
    expect(await fixture.record(key)).to.deep.include({ status: 'SUCCEEDED', attempts: 2 });
  });

  it('release: records a retryable failure on the claim at once and says RETRY; the next attempt runs the business step', async () => {
    // Prepare: the processor failed transiently and the Catch put its error in the state
    const fixture = new PipelineFixture();
    const containerOf = () => fixture.container;
    const message = await queuedRecord(fixture, { kind: 'transient', times: 1 });
    const claim = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-1' } });
    await failureOf(createProcessorHandler(containerOf)({ message, claim }));
    const error = {
      Error: 'Pipeline.TRANSIENT',
      Cause: JSON.stringify({ errorType: 'Pipeline.TRANSIENT', errorMessage: 'SIMULATED.TRANSIENT: simulated' }),
    };

    // Act: the idempotency function, reached with the caught error, plays the release step
    const released = await createIdempotencyHandler(containerOf)({ message, claim, error });

    // Assess: no lease left to wait for, the category on the record, no event owed
    expect(released).to.deep.include({ verdict: 'RETRY', failure: { category: 'TRANSIENT', code: 'SIMULATED.TRANSIENT' } });
    const key = message[0]?.messageAttributes.idempotencyKey?.stringValue ?? '';
    const record = await fixture.record(key);
    expect(record).to.deep.include({ status: 'RETRY', lastError: { category: 'TRANSIENT', code: 'SIMULATED.TRANSIENT' } });
    expect(record?.leaseExpiresAt).to.equal(undefined);
    expect(
      record?.outbox?.map((entry) => entry.detailType),
      "only the first claim's OrderPublished",
    ).to.deep.equal([EVENT_TYPES.published]);
    const next = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-2' } });
    expect(next.decision).to.deep.include({ kind: 'PROCEED', attempt: 2, resumed: false });
  });

  it("release: a RETRY carries the delay the worker would hold the message back for, drawn for the claim's attempt within the same backoff bounds", async () => {
    // Prepare: equal jitter, whose delays have a floor, so the attempt number shows in the draw
    const fixture = new PipelineFixture({ env: { BACKOFF_STRATEGY: 'equal-jitter' } });
    const containerOf = () => fixture.container;
    const message = await queuedRecord(fixture);
    const claim = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-1' } });
    const error = { Error: 'Pipeline.TRANSIENT', Cause: JSON.stringify({ errorMessage: 'SIMULATED.TRANSIENT: simulated' }) };
    const policy = backoffPolicyOf(fixture.config);

    // Act: the same failure released on the first attempt and, by a claim that says so, on the fourth
    const first = await createReleaseHandler(containerOf)({ message, claim, error });
    const again = await createClaimHandler(containerOf)({ message, execution: { name: 'exec-2' } });
    const fourth = await createReleaseHandler(containerOf)({
      message,
      claim: { ...again, decision: { ...again.decision, attempt: 4 } },
      error,
    });

    // Assess
    for (const [released, attempt] of [
      [first, 1],
      [fourth, 4],
    ] as const) {
      if (released.verdict !== 'RETRY') throw new Error(`attempt ${attempt}: expected RETRY, got ${released.verdict}`);
      const { min, max } = backoffEnvelope(policy, attempt, undefined);
      expect(released.delaySeconds, `attempt ${attempt}`).to.be.within(min, max);
    }
    expect(backoffEnvelope(policy, 4, undefined).min, 'the two envelopes do not overlap').to.be.above(
      backoffEnvelope(policy, 1, undefined).max,
    );
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
    expect(await fixture.record(key)).to.deep.include({
      status: 'PARKED',
      lastError: { category: 'PROCESSING', code: 'RULES.ENGINE_DOWN' },
    });
  });

  it("claim: hands a PARKED record's failure to the workflow, which parks this copy again", async () => {
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
    const result = await createPublishHandler(() => fixture.container)({
      validated: { order: OrderMother.valid() },
      execution: { name: 'ingest-exec-7' },
    });

    // Assess
    const [queued] = fixture.orderQueue();
    expect(result).to.have.property('messageId', queued?.messageId);
    expect(queued?.attributes).to.deep.include({ correlationId: 'ingest-exec-7' });
  });
});
