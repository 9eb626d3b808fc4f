import { expect } from 'chai';
import { visibilityRetryBudgetMs } from '../../application/resilience/visibility-retry.js';
import { OrderMother } from '../domain/order-mother.js';
import { backoffBoundsMs, startedWith } from './support/backoff-bounds.js';
import { useTestHarnesses } from './support/harness-fixture.js';

/** Polling, claims and commits on a busy machine, on top of the backoff and the visibility retries. */
const SLACK_MS = 3_000;
const ORDERS = 3;
const FAILED_ATTEMPTS = 2;

interface Fallbacks {
  readonly kept: number;
  readonly requeued: number;
  readonly queueDefault: number;
}

/** The worker's account of each backoff it could not set (application/use-cases/work-order-batch.ts). */
function fallbacksIn(logs: readonly string[]): Fallbacks[] {
  return logs.filter((line) => line.includes('backoff visibility not set')).map((line) => JSON.parse(line) as Fallbacks);
}

describe('Local harness: backoff while SQS refuses every visibility change', () => {
  const harnesses = useTestHarnesses();

  for (const scenario of [
    {
      name: 'keeps each record in its invocation and works it again after its backoff, when the invocation has the time',
      functionTimeoutSeconds: 20,
      // The copies are refused too: only keeping the records can bring them back on time.
      operations: ['ChangeMessageVisibilityBatch', 'SendMessageBatch'],
      fallback: 'kept' as const,
      env: {} as Readonly<Record<string, string>>,
      // A kept record holds its invocation, and so one of the mapping's concurrent invocations, for its
      // backoff: with the harness' default of 2, the third order would wait for one of them to end.
      maxConcurrency: ORDERS,
    },
    {
      name: 're-sends each record with its backoff as DelaySeconds, when the invocation has too little time left to keep it',
      functionTimeoutSeconds: 5,
      operations: ['ChangeMessageVisibilityBatch'],
      fallback: 'requeued' as const,
      // The copy is sent through the SQS breaker, which refused visibility changes would soon open; the
      // copy would then be refused too, and the record left to the visibility timeout (the last resort,
      // shown in test/application/work-order-batch-backoff.spec.ts). Here the breaker stays closed, as it
      // does when only the visibility changes of a working SQS fail.
      env: {
        BREAKER_SETTINGS: JSON.stringify({
          sqs: { failureThreshold: 1_000, volume: { failureRatio: 0.99, minimumCalls: 1_000, windowCalls: 1_000 } },
        }),
      } as Readonly<Record<string, string>>,
      maxConcurrency: 2,
    },
  ]) {
    it(`${scenario.name}: every order settles within its backoff bounds, never after the visibility timeout`, async () => {
      // Prepare: the visibility timeout the harness derives (180 s), and faults for the whole run, longer than every backoff and retry window
      const running = await harnesses.start(
        {
          redriveEveryMs: 0,
          visibilityTimeoutSeconds: undefined,
          functionTimeoutSeconds: scenario.functionTimeoutSeconds,
          maxConcurrency: scenario.maxConcurrency,
        },
        scenario.env,
      );
      const { client, harness, logs } = running;
      const visibilitySeconds = startedWith(logs).visibilityTimeoutSeconds;
      expect((await client.setFaults({ faults: { sqs: 1 }, functions: ['worker'], operations: scenario.operations })).status).to.equal(200);
      const { max: longestBackoffMs } = backoffBoundsMs(harness.config, FAILED_ATTEMPTS);
      const latestMs = longestBackoffMs + FAILED_ATTEMPTS * visibilityRetryBudgetMs() + SLACK_MS;

      // Act
      const started = Date.now();
      const keys: string[] = [];
      for (let index = 1; index <= ORDERS; index += 1) {
        const published = await client.postOrder(
          OrderMother.valid({ orderId: `vis-${scenario.fallback}-${index}` }),
          { 'x-simulate-failure': `transient:${FAILED_ATTEMPTS}` },
          '/publish',
        );
        expect(published.status).to.equal(202);
        keys.push(String(published.body.idempotencyKey));
      }
      const done = await Promise.all(keys.map((key) => client.waitForStatus(key, ['SUCCEEDED'], latestMs + 5_000)));
      const elapsedMs = Date.now() - started;

      // Assess
      expect(done.map((view) => view.attempts)).to.deep.equal(Array(ORDERS).fill(FAILED_ATTEMPTS + 1));
      expect(elapsedMs, `elapsed ${elapsedMs} ms, backoff and retries at most ${latestMs} ms`).to.be.below(latestMs);
      expect(elapsedMs * 10, `far below the ${visibilitySeconds} s visibility timeout`).to.be.below(visibilitySeconds * 1_000);
      const metrics = await client.metrics();
      expect(metrics.faults.injected.sqs, 'the visibility changes were refused').to.be.at.least(1);
      const fallbacks = fallbacksIn(logs);
      expect(
        fallbacks.reduce((sum, line) => sum + line[scenario.fallback], 0),
        `records ${scenario.fallback}`,
      ).to.be.at.least(1);
      expect(
        fallbacks.reduce((sum, line) => sum + line.queueDefault, 0),
        'none left to the visibility timeout',
      ).to.equal(0);
      expect(metrics.commits).to.deep.equal({ total: ORDERS, committedTwice: [] });
      for (const key of keys) expect(await client.events({ type: 'OrderProcessed', idempotencyKey: key })).to.have.length(1);
    });
  }
});
