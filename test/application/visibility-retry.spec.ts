import { expect } from 'chai';
import type { OrderQueue } from '../../application/ports/order-queue.js';
import type { VisibilityChange } from '../../application/ports/queue-message.js';
import {
  changeVisibilityWithRetries,
  visibilityRetryBudgetMs,
  VISIBILITY_TRIES,
  type VisibilityRetryTools,
} from '../../application/resilience/visibility-retry.js';
import { ManualClock } from '../support/manual-clock.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { SeededRandom } from '../../adapters/system/seeded-random.js';
import { CircuitOpenError, ValidationError } from '../../domain/errors.js';

const CHANGES: readonly VisibilityChange[] = [{ receiptHandle: 'rh-1', timeoutSeconds: 2 }];

/** Answers each call with the next of `answers` (an error is thrown), then succeeds. */
class ScriptedQueue implements OrderQueue {
  readonly calledAt: number[] = [];
  constructor(
    private readonly clock: ManualClock,
    private readonly answers: readonly Error[],
  ) {}
  async send(): Promise<never> {
    throw new Error('not used');
  }
  async changeVisibility(): Promise<void> {
    this.calledAt.push(this.clock.now());
    const answer = this.answers[this.calledAt.length - 1];
    if (answer !== undefined) throw answer;
  }
}

function serverError(): Error {
  return Object.assign(new Error('internal error'), { name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
}

function tools(
  clock: ManualClock,
  timeLeftMs: () => number | undefined = () => undefined,
): VisibilityRetryTools & { logger: RecordingLogger } {
  return { clock, random: new SeededRandom(7), logger: new RecordingLogger(), timeLeftMs };
}

describe('Function: changeVisibilityWithRetries', () => {
  it('tries again after a failure, with a jittered wait within the budget, and reports success', async () => {
    // Prepare
    const clock = new ManualClock({ autoAdvance: true });
    const queue = new ScriptedQueue(clock, [serverError(), serverError()]);
    const start = clock.now();

    // Act
    const held = await changeVisibilityWithRetries(queue, CHANGES, tools(clock));

    // Assess
    expect(held).to.equal(true);
    expect(queue.calledAt).to.have.length(3);
    expect((queue.calledAt.at(-1) ?? 0) - start).to.be.at.most(visibilityRetryBudgetMs());
  });

  it(`gives up after ${VISIBILITY_TRIES} tries and says so`, async () => {
    // Prepare
    const clock = new ManualClock({ autoAdvance: true });
    const queue = new ScriptedQueue(clock, Array.from({ length: 10 }, serverError));
    const used = tools(clock);

    // Act
    const held = await changeVisibilityWithRetries(queue, CHANGES, used);

    // Assess
    expect(held).to.equal(false);
    expect(queue.calledAt).to.have.length(VISIBILITY_TRIES);
    expect(used.logger.linesAt('WARN').map((line) => line.fields)).to.deep.equal([
      { tries: VISIBILITY_TRIES, messages: 1, category: 'TRANSIENT', code: 'AWS.InternalError', error: 'internal error' },
    ]);
  });

  it('does not retry an error the classifier says cannot succeed', async () => {
    // Prepare
    const clock = new ManualClock({ autoAdvance: true });
    const queue = new ScriptedQueue(clock, [new ValidationError('bad receipt handle', { code: 'SQS.INVALID' })]);

    // Act
    const held = await changeVisibilityWithRetries(queue, CHANGES, tools(clock));

    // Assess
    expect(held).to.equal(false);
    expect(queue.calledAt).to.have.length(1);
  });

  it('stops before the invocation deadline instead of sleeping past it', async () => {
    // Prepare: 1.1 s left, of which 1 s is kept for the answer
    const clock = new ManualClock({ autoAdvance: true });
    const queue = new ScriptedQueue(clock, Array.from({ length: 10 }, serverError));
    const deadline = clock.now() + 1_100;

    // Act
    const held = await changeVisibilityWithRetries(
      queue,
      CHANGES,
      tools(clock, () => deadline - clock.now()),
    );

    // Assess
    expect(held).to.equal(false);
    expect(clock.now()).to.be.at.most(deadline - 1_000);
  });

  it("stops at once when an open SQS breaker's wait does not fit the retry budget, rather than hammering it", async () => {
    // Prepare: the breaker answers that it lets a probe through in 30 s
    const clock = new ManualClock({ autoAdvance: true });
    const queue = new ScriptedQueue(clock, [new CircuitOpenError('sqs', 30_000)]);
    const start = clock.now();

    // Act
    const held = await changeVisibilityWithRetries(
      queue,
      CHANGES,
      tools(clock, () => 60_000),
    );

    // Assess
    expect(held).to.equal(false);
    expect(queue.calledAt).to.have.length(1);
    expect(clock.now(), 'gave up at once').to.equal(start);
  });

  it("waits for an open SQS breaker's probe when that fits the retry budget, then tries again", async () => {
    // Prepare: the breaker lets a probe through in 900 ms
    const clock = new ManualClock({ autoAdvance: true });
    const queue = new ScriptedQueue(clock, [new CircuitOpenError('sqs', 900)]);
    const start = clock.now();

    // Act
    const held = await changeVisibilityWithRetries(
      queue,
      CHANGES,
      tools(clock, () => 60_000),
    );

    // Assess
    expect(held).to.equal(true);
    expect(queue.calledAt).to.have.length(2);
    expect((queue.calledAt[1] ?? 0) - start).to.be.at.least(900);
  });
});
