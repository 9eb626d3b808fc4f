import { expect } from 'chai';
import { motoHarnessEnv, useMotoServer } from '../../tools/moto/moto.js';
import { OrderMother } from '../domain/order-mother.js';
import { backoffBoundsMs, startedWith } from './support/backoff-bounds.js';
import { useTestHarnesses } from './support/harness-fixture.js';

const moto = useMotoServer();

function motoEnv(): Readonly<Record<string, string>> {
  return motoHarnessEnv(moto.server);
}

describe('Local harness: the orchestrated topology on SQS (moto)', function () {
  this.timeout(60_000);
  const harnesses = useTestHarnesses();
  beforeEach(async () => {
    await moto.server.reset();
  });

  it("holds a transient:2 order back on the SQS queue for the worker's backoff (ChangeMessageVisibility), not the queue's visibility timeout", async () => {
    // Prepare: the visibility timeout the harness derives for its functions, as deployed
    const running = await harnesses.start(
      { backend: 'aws', bootstrap: true, topology: 'orchestrated', redriveEveryMs: 0, visibilityTimeoutSeconds: undefined },
      motoEnv(),
    );
    const { client, harness, logs } = running;
    const visibilitySeconds = startedWith(logs).visibilityTimeoutSeconds;
    const { max: longestBackoffMs } = backoffBoundsMs(harness.config, 2);
    // moto keeps visibility in whole seconds and the poller long-polls for 1 s: up to about 2 s a retry
    const slackMs = 6_000;

    // Act
    const started = Date.now();
    const published = await client.postOrder(
      OrderMother.valid({ orderId: 'orch-aws-transient-2' }),
      { 'x-simulate-failure': 'transient:2' },
      '/publish',
    );
    const key = String(published.body.idempotencyKey);
    const done = await client.waitForStatus(key, ['SUCCEEDED'], longestBackoffMs + slackMs + 10_000);
    const elapsedMs = Date.now() - started;

    // Assess
    expect(done.attempts).to.equal(3);
    expect(elapsedMs, `elapsed ${elapsedMs} ms, backoff at most ${longestBackoffMs} ms`).to.be.below(longestBackoffMs + slackMs);
    expect(elapsedMs * 10, `far below the ${visibilitySeconds} s visibility timeout`).to.be.below(visibilitySeconds * 1_000);
    const failedPaths = logs
      .filter((line) => line.includes('workflow execution failed'))
      .map((line) => (JSON.parse(line) as { path: string }).path);
    expect(failedPaths).to.have.length(2);
    for (const path of failedPaths) expect(path).to.match(/RouteReleaseVerdict → HoldBackForRetry → RetryLater$/);
    expect(
      logs.some((line) => line.includes('could not hold the message back')),
      'every hold-back accepted by SQS',
    ).to.equal(false);
  });
});
