import { expect } from 'chai';
import { OrderMother } from '../domain/order-mother.js';
import { motoHarnessEnv, useMotoServer } from '../../tools/moto/moto.js';
import type { HttpAnswer, PipelineClient } from './support/pipeline-client.js';
import { useTestHarnesses, type RunningHarness } from './support/harness-fixture.js';
import { sleep, waitFor } from './support/wait-for.js';

/*
 * No reservation without its message, from outside: a failed send answers 503 and the same payload's retry
 * is accepted at once; an edge that dies between its reservation and its send leaves an order the
 * scheduled sweep queues within one schedule period after the lease, with no client retry; every order
 * that was queued is announced by one OrderPublished (one eventId), and an order never queued by none.
 * The lease (1 s) and the schedule (0.5 s) are short, and each wait outlasts them.
 */
const LEASE_MS = 1_000;
const PERIOD_MS = 500;
const SETTINGS = { redriveEveryMs: PERIOD_MS };
const ENV = { ACCEPT_LEASE_MS: String(LEASE_MS) };
// At the top, as in every spec that uses it: the server is shared by the whole run and stopped at its end.
const moto = useMotoServer();

function anOrder(index: number): Record<string, unknown> {
  return OrderMother.valid({ orderId: `order-${String(index).padStart(4, '0')}` }) as unknown as Record<string, unknown>;
}

/**
 * Posts the same payload under `key` until it is accepted (202), or known as done (200: an earlier copy was
 * queued after all), for up to 15 s: a simple client that retries every 503 at once.
 */
async function postUntilAccepted(client: PipelineClient, key: string, order: unknown): Promise<number[]> {
  const statuses: number[] = [];
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const answer: HttpAnswer = await client.postOrder(order, { 'idempotency-key': key });
    statuses.push(answer.status);
    if (answer.status === 202 || answer.status === 200) return statuses;
    await sleep(answer.status === 409 ? 200 : 50);
  }
  return statuses;
}

async function releaseFailures(running: RunningHarness): Promise<number> {
  return (await running.client.metrics()).counters.reservationReleasesFailed;
}

/** How many times the bus delivered each eventId of `detailType`, per idempotency key. */
async function deliveriesByKey(client: PipelineClient, detailType: string): Promise<Map<string, Map<string, number>>> {
  const byKey = new Map<string, Map<string, number>>();
  for (const event of await client.events({ type: detailType })) {
    if (event.detailType !== detailType) continue;
    const key = String(event.detail.idempotencyKey);
    const ids = byKey.get(key) ?? new Map<string, number>();
    ids.set(event.eventId, (ids.get(event.eventId) ?? 0) + 1);
    byKey.set(key, ids);
  }
  return byKey;
}

describe('Local harness: no reservation without its message', function () {
  this.timeout(60_000);
  const harnesses = useTestHarnesses();

  it('answers a failed send 503 and releases the reservation: every same-payload retry is accepted, none answered 409, each order processed and announced once', async () => {
    // Prepare: the edge's sends fail half the time; DynamoDB does not, so every release goes through
    const running = await harnesses.start(SETTINGS, ENV);
    const { client } = running;
    await client.setFaults({ faults: { sqs: 0.5 }, functions: ['ingest'] });

    // Act
    const keys = Array.from({ length: 30 }, (_, index) => `retry-${index}`);
    const answers = await Promise.all(keys.map((key, index) => postUntilAccepted(client, key, anOrder(index))));
    await client.setFaults({ faults: {} });
    const settled = await Promise.all(keys.map((key) => client.waitForStatus(key, ['SUCCEEDED'], 20_000)));

    // Assess
    const after503 = answers.flatMap((statuses) => statuses.filter((status, index) => index > 0 && statuses[index - 1] === 503));
    expect(answers.flat().filter((status) => status === 503).length, 'the faults did fail sends').to.be.greaterThan(0);
    expect(
      after503.filter((status) => status === 409),
      'a retry after a 503 is never told "in progress"',
    ).to.deep.equal([]);
    expect(
      answers.map((statuses) => statuses.at(-1)),
      'every order accepted in the end',
    ).to.deep.equal(keys.map(() => 202));
    expect(await releaseFailures(running)).to.equal(0);
    expect(settled.map((view) => view.status)).to.deep.equal(keys.map(() => 'SUCCEEDED'));
    const published = await deliveriesByKey(client, 'OrderPublished');
    for (const key of keys)
      expect([...(published.get(key)?.values() ?? [])], `${key}: one OrderPublished, delivered once`).to.deep.equal([1]);
  });

  it('counts the 503s whose release failed: a 409 after a 503 happens only for those keys, and the retry is accepted once the lease runs out', async () => {
    // Prepare: sends and DynamoDB both fail at the edge, so some releases fail too
    const running = await harnesses.start(SETTINGS, ENV);
    const { client } = running;
    await client.setFaults({ faults: { sqs: 0.5, dynamodb: 0.3 }, functions: ['ingest'] });

    // Act
    const keys = Array.from({ length: 30 }, (_, index) => `release-${index}`);
    const answers = await Promise.all(keys.map((key, index) => postUntilAccepted(client, key, anOrder(100 + index))));
    await client.setFaults({ faults: {} });
    await Promise.all(keys.map((key) => client.waitForStatus(key, ['SUCCEEDED'], 20_000)));

    // Assess
    const keysWith409After503 = answers.filter((statuses) =>
      statuses.some((status, index) => status === 409 && statuses.slice(0, index).includes(503)),
    );
    expect(
      answers.map((statuses) => [202, 200].includes(statuses.at(-1) ?? 0)),
      'every order accepted, or found done',
    ).to.deep.equal(keys.map(() => true));
    expect(keysWith409After503.length, 'each such key had a release that failed').to.be.at.most(await releaseFailures(running));
  });

  it('announces nothing for an order that was never queued, and leaves no reservation for it once the sweep ran', async () => {
    // Prepare: every send fails, the clients give up after their 503
    const running = await harnesses.start(SETTINGS, ENV);
    const { client } = running;
    await client.setFaults({ faults: { sqs: 1 }, functions: ['ingest'] });

    // Act
    const answers = await Promise.all(
      [0, 1, 2].map((index) => client.postOrder(anOrder(200 + index), { 'idempotency-key': `gave-up-${index}` })),
    );
    await client.setFaults({ faults: {} });
    await sleep(LEASE_MS + 3 * PERIOD_MS);

    // Assess
    expect(answers.map((answer) => answer.status)).to.deep.equal([503, 503, 503]);
    for (const index of [0, 1, 2])
      expect((await client.order(`gave-up-${index}`)).status, 'no record: not ACCEPTED for nothing').to.equal(404);
    const published = await deliveriesByKey(client, 'OrderPublished');
    expect([0, 1, 2].filter((index) => published.has(`gave-up-${index}`))).to.deep.equal([]);
  });

  for (const backend of ['memory', 'aws'] as const) {
    describe(`on the ${backend} backend`, () => {
      it('queues the order of an edge that died between its reservation and its send within one schedule period after the lease, without a client retry', async () => {
        // Prepare: the edge dies right after writing each reservation
        if (backend === 'aws') await moto.server.reset();
        const overrides = backend === 'aws' ? { ...SETTINGS, backend, bootstrap: true, visibilityTimeoutSeconds: undefined } : SETTINGS;
        const running = await harnesses.start(overrides, { ...ENV, ...(backend === 'aws' ? motoHarnessEnv(moto.server) : {}) });
        const { client } = running;
        await client.setFaults({ crashAfter: { reserve: 1 }, functions: ['ingest'] });
        // Two: the harness' breakers are shared by its functions for now, and a crashed call holds one of
        // DynamoDB's admission slots until it goes stale (5 s); two leave the sweep's own calls room.
        const keys = [0, 1].map((index) => `crashed-${backend}-${index}`);

        // Act: each edge dies after its reservation (answered 500); nobody retries
        const postedAt = Date.now();
        const answers: HttpAnswer[] = [];
        for (const [index, key] of keys.entries()) answers.push(await client.postOrder(anOrder(300 + index), { 'idempotency-key': key }));
        const lastAccepted = new Map<string, number>();
        const settled = await waitFor(
          'the swept orders to succeed',
          async () => {
            const views = await Promise.all(keys.map(async (key) => (await client.order(key)).body));
            for (const view of views) if (view.status === 'ACCEPTED') lastAccepted.set(view.idempotencyKey, Date.now());
            return views.every((view) => view.status === 'SUCCEEDED' && view.outbox.every((entry) => entry.delivered)) ? views : undefined;
          },
          20_000,
          50,
        );
        const settledAfterMs = Date.now() - postedAt;

        // Assess
        expect(
          answers.map((answer) => answer.status >= 500),
          'the edge crashed: no 202',
        ).to.deep.equal(keys.map(() => true));
        expect(settled.map((view) => view.status)).to.deep.equal(keys.map(() => 'SUCCEEDED'));
        // Swept after the lease, within one period (plus the worker's and moto's own latency)
        const bound = LEASE_MS + PERIOD_MS + (backend === 'aws' ? 4_000 : 1_500);
        expect(settledAfterMs, 'settled within one schedule period after the lease').to.be.below(bound);
        for (const [key, at] of lastAccepted) expect(at - postedAt, `${key} shown ACCEPTED only until the sweep`).to.be.below(bound);
        const published = await deliveriesByKey(client, 'OrderPublished');
        for (const key of keys) expect([...(published.get(key)?.keys() ?? [])], `${key}: one OrderPublished`).to.have.length(1);
      });
    });
  }
});
