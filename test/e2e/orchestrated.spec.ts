import { expect } from 'chai';
import { OrderMother } from '../domain/order-mother.js';
import { backoffBoundsMs, startedWith } from './support/backoff-bounds.js';
import { useTestHarnesses } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

/** The idempotency key of an answer of POST /orders (the one contract of both topologies). */
function publishedKey(body: Record<string, unknown>): string {
  return String(body.idempotencyKey);
}

describe('Local harness: the orchestrated topology', () => {
  const harnesses = useTestHarnesses();

  it('runs ingest as validate → publish and consumption as claim → process (the outbox relay announces), from the shared workflow definitions', async () => {
    const running = await harnesses.start({ topology: 'orchestrated' });
    const { client, harness, logs } = running;

    const accepted = await client.postOrder(OrderMother.valid({ orderId: 'orch-1' }));

    // As the composed ingest answers (one contract; see test/e2e/http-contract.spec.ts).
    expect(accepted.status).to.equal(202);
    expect(accepted.body).to.include({ status: 'ACCEPTED', orderId: 'orch-1' });
    const key = publishedKey(accepted.body);
    const done = await client.waitForStatus(key, ['SUCCEEDED']);
    expect(done.events.map((event) => event.detailType).sort()).to.deep.equal(['OrderProcessed', 'OrderPublished']);
    const paths = logs
      .filter((line) => line.includes('workflow execution succeeded'))
      .map((line) => (JSON.parse(line) as { path: string }).path);
    expect(paths).to.deep.equal(['ClaimIdempotency → RouteClaimDecision → ProcessOrder → Done']);
    expect((await client.metrics()).topology).to.equal('orchestrated');
    await waitFor('the queue to drain', async () => ((await harness.quiet()) ? true : undefined));
  });

  it('answers an invalid order rejected by the validate step 400 with every violation, as the composed ingest does', async () => {
    const running = await harnesses.start({ topology: 'orchestrated' });
    const answer = await running.client.postOrder(OrderMother.withDuplicateSku());
    expect(answer.status).to.equal(400);
    expect(answer.body).to.include({ error: 'VALIDATION' });
    expect((answer.body.violations as { code: string }[]).map((v) => v.code)).to.include('ORDER.DUPLICATE_SKU');
    expect((await running.client.metrics()).queue.depth).to.equal(0);
  });

  it('refuses a body that is not JSON 400 with its reason, without starting the workflow', async () => {
    const running = await harnesses.start({ topology: 'orchestrated' });
    const answer = await running.client.request('POST', '/orders', '{"orderId": ', { 'content-type': 'application/json' });
    expect(answer.status).to.equal(400);
    expect((answer.body.violations as { code: string }[]).map((v) => v.code)).to.deep.equal(['BODY.MALFORMED_JSON']);
    expect(running.logs.some((line) => line.includes('ClaimIdempotency'))).to.equal(false);
  });

  it('answers a duplicate from the reservation without queueing or working it again', async () => {
    const running = await harnesses.start({ topology: 'orchestrated' });
    const { client, harness, logs } = running;
    const order = OrderMother.valid({ orderId: 'orch-dup' });
    const first = await client.postOrder(order);
    const key = publishedKey(first.body);
    await client.waitForStatus(key, ['SUCCEEDED']);

    const second = await client.postOrder(order);

    expect(second.status).to.equal(200);
    expect(second.body).to.include({ duplicate: true, status: 'SUCCEEDED' });
    expect(publishedKey(second.body)).to.equal(key);
    await waitFor('the queue to drain', async () => ((await harness.quiet()) ? true : undefined));
    expect(
      logs.filter((line) => line.includes('workflow execution succeeded')),
      'one consume execution',
    ).to.have.length(1);
    expect(await client.events({ type: 'OrderProcessed', idempotencyKey: key })).to.have.length(1);
    expect((await client.metrics()).commits).to.deep.equal({ total: 1, committedTwice: [] });
  });

  it('releases the claim of a transient failure at once with its category, and the redelivered record then succeeds', async () => {
    const running = await harnesses.start({ topology: 'orchestrated', redriveEveryMs: 0 });
    const { client, logs } = running;
    const published = await client.postOrder(
      OrderMother.valid({ orderId: 'orch-transient' }),
      { 'x-simulate-failure': 'transient:1' },
      '/publish',
    );
    const key = String(published.body.idempotencyKey);

    // The first execution: processor fails, ReleaseClaim records it, the record is held back for its backoff, the execution fails for the queue to redeliver
    const released = await client.waitForStatus(key, ['RETRY']);
    expect(released).to.include({ attempts: 1, lastErrorCategory: 'TRANSIENT' });
    expect(
      logs.some((line) => line.includes('ProcessOrder → ReleaseClaim → RouteReleaseVerdict → HoldBackForRetry → RetryLater')),
    ).to.equal(true);

    // After the backoff delay the pipe hands the record to a new execution, which takes the released claim
    const done = await client.waitForStatus(key, ['SUCCEEDED'], 20_000);
    expect(done.attempts).to.equal(2);
    expect(await client.events({ type: 'OrderProcessed', idempotencyKey: key })).to.have.length(1);
    expect((await client.metrics()).commits).to.deep.equal({ total: 1, committedTwice: [] });
  });

  it("retries a transient:2 order within the worker's backoff bounds, far sooner than the queue's visibility timeout, and it succeeds on attempt 3", async () => {
    // Prepare: the visibility timeout the harness derives for its functions (as deployed), not the suite's short one
    const running = await harnesses.start({ topology: 'orchestrated', redriveEveryMs: 0, visibilityTimeoutSeconds: undefined });
    const { client, harness, logs } = running;
    const visibilitySeconds = startedWith(logs).visibilityTimeoutSeconds;
    const { min: shortestBackoffMs, max: longestBackoffMs } = backoffBoundsMs(harness.config, 2);
    // Three executions on an idle harness: polling, three claims and commits, well under this
    const slackMs = 3_000;

    // Act
    const started = Date.now();
    const published = await client.postOrder(
      OrderMother.valid({ orderId: 'orch-transient-2' }),
      { 'x-simulate-failure': 'transient:2' },
      '/publish',
    );
    const key = String(published.body.idempotencyKey);
    const done = await client.waitForStatus(key, ['SUCCEEDED'], longestBackoffMs + slackMs + 5_000);
    const elapsedMs = Date.now() - started;

    // Assess: both retries were held back for a backoff drawn within the worker's bounds, and only for it
    expect(done.attempts).to.equal(3);
    expect(elapsedMs, `elapsed ${elapsedMs} ms, backoff at most ${longestBackoffMs} ms`).to.be.below(longestBackoffMs + slackMs);
    expect(elapsedMs, 'held back for at least the shortest backoff of both retries').to.be.at.least(shortestBackoffMs);
    expect(elapsedMs * 10, `far below the ${visibilitySeconds} s visibility timeout`).to.be.below(visibilitySeconds * 1_000);
    const failedPaths = logs
      .filter((line) => line.includes('workflow execution failed'))
      .map((line) => (JSON.parse(line) as { path: string }).path);
    expect(failedPaths).to.deep.equal(
      Array(2).fill(
        'ClaimIdempotency → RouteClaimDecision → ProcessOrder → ReleaseClaim → RouteReleaseVerdict → HoldBackForRetry → RetryLater',
      ),
    );
    expect(await client.events({ type: 'OrderProcessed', idempotencyKey: key })).to.have.length(1);
    expect((await client.metrics()).failuresByCategory.TRANSIENT).to.equal(2);
  });

  it('parks a permanent failure through the release: the record PARKED, the message in the DLQ with its category and code, and the redrive parks it', async () => {
    const running = await harnesses.start({ topology: 'orchestrated', redriveEveryMs: 0 });
    const { client, logs } = running;
    // The ingest workflow carries only the body, so the failure is asked for on POST /publish, which queues it with the message.
    const published = await client.postOrder(
      OrderMother.valid({ orderId: 'orch-park' }),
      { 'x-simulate-failure': 'permanent' },
      '/publish',
    );
    expect(published.status).to.equal(202);
    const key = String(published.body.idempotencyKey);

    await waitFor('the parked record in the DLQ', async () => ((await client.metrics()).deadLetterQueue.depth === 1 ? true : undefined));
    expect(logs.some((line) => line.includes('ProcessOrder → ReleaseClaim → RouteReleaseVerdict → ParkReleased'))).to.equal(true);
    expect(await client.order(key).then((answer) => answer.body)).to.include({ status: 'PARKED', lastErrorCategory: 'PERMANENT' });
    const report = await client.redrive();

    expect(report.body).to.include({ received: 1, parked: 1, redriven: 0 });
    await client.waitForStatus(key, ['PARKED']);
    const [parked] = await client.events({ type: 'OrderParked', idempotencyKey: key });
    expect(parked?.detail).to.include({ category: 'PERMANENT', orderId: 'orch-park' });
    expect((await client.order(key)).body.lastError).to.deep.equal({ category: 'PERMANENT', code: 'SIMULATED.PERMANENT' });
    expect(await client.events({ type: 'OrderProcessed', idempotencyKey: key })).to.have.length(0);
  });
});
