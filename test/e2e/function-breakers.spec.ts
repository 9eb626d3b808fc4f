import { expect } from 'chai';
import type { MetricsSnapshot } from '../../harness/observation/metrics-snapshot.js';
import type { ServiceName } from '../../application/config/breaker-defaults.js';
import { OrderMother } from '../domain/order-mother.js';
import { useTestHarnesses } from './support/harness-fixture.js';
import { waitFor } from './support/wait-for.js';

/** The status of `service`'s breaker in every environment of `functionName`. */
function statusesOf(metrics: MetricsSnapshot, functionName: string, service: ServiceName): string[] {
  return (metrics.breakersByFunction[functionName]?.environments ?? []).map(
    (environment) => environment.breakers[service]?.status ?? 'absent',
  );
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Local harness: each function has its own circuit breakers, as each Lambda execution environment does', function () {
  this.timeout(60_000);
  const harnesses = useTestHarnesses();

  it('keeps the edge answering 202 with its DynamoDB breaker CLOSED while DynamoDB fails for the worker only, for several breaker recovery periods; afterwards every order SUCCEEDED', async () => {
    // Prepare: a 1 s recovery, so the 6 s outage spans several OPEN → HALF_OPEN → OPEN rounds of the worker's breaker.
    const recoveryMs = 1_000;
    const outageMs = 6_000;
    const { client } = await harnesses.start({ breakerRecoveryMs: recoveryMs });
    expect((await client.setFaults({ faults: { dynamodb: 1 }, functions: ['worker'] })).status).to.equal(200);

    // Act: an order every 0.25 s through the whole outage.
    const keys: string[] = [];
    const answers: number[] = [];
    let workerOpenSeen = false;
    const edgeStatuses = new Set<string>();
    const startedAt = Date.now();
    for (let index = 0; Date.now() - startedAt < outageMs; index += 1) {
      const answer = await client.postOrder(OrderMother.valid({ orderId: `own-breakers-${index}` }));
      answers.push(answer.status);
      if (answer.status === 202) keys.push(String(answer.body.idempotencyKey));
      const metrics = await client.metrics();
      for (const status of statusesOf(metrics, 'ingest', 'dynamodb')) edgeStatuses.add(status);
      workerOpenSeen ||= statusesOf(metrics, 'worker', 'dynamodb').includes('OPEN');
      await sleep(250);
    }
    const during = await client.metrics();
    await client.setFaults({ faults: {} });

    // Assess: the worker's breaker opened, the edge's never left CLOSED, and every POST was accepted.
    expect(workerOpenSeen, "the worker's DynamoDB breaker opened").to.equal(true);
    expect([...edgeStatuses], "the edge's DynamoDB breaker, in every environment, at every look").to.deep.equal(['CLOSED']);
    expect(
      answers.filter((status) => status !== 202),
      'answers other than 202',
    ).to.deep.equal([]);
    expect(keys.length).to.be.at.least(12);
    expect(during.faults.injected.dynamodb, 'the worker did meet the outage').to.be.at.least(3);
    expect(
      during.breakers.dynamodb.notClosedIn.every((environment) => environment.startsWith('worker#')),
      'only worker environments are not CLOSED',
    ).to.equal(true);
    for (const key of keys) await client.waitForStatus(key, ['SUCCEEDED'], 30_000);
    const after = await client.metrics();
    expect(after.commits).to.deep.equal({ total: keys.length, committedTwice: [] });
    expect(after.parked).to.equal(0);
  });

  it('gives an environment that crashed a fresh start: the crashed one is discarded and the next invocation runs in a new one', async () => {
    const { client } = await harnesses.start({ crashAfter: { process: 1 } });
    const key = String((await client.postOrder(OrderMother.valid({ orderId: 'crashing-environment' }))).body.idempotencyKey);
    await waitFor('the worker to crash', async () => ((await client.metrics()).eventSource.outcomes.crashed >= 1 ? true : undefined));
    await client.setFaults({ crashAfter: {} });

    await client.waitForStatus(key, ['SUCCEEDED'], 20_000);
    const worker = (await client.metrics()).breakersByFunction.worker;
    expect(worker?.discarded, 'the crashed environment').to.equal(1);
    expect(worker?.started, 'a new one served the redelivery').to.equal(2);
    expect(worker?.environments.map((environment) => environment.environment)).to.deep.equal(['worker#2']);
  });
});
