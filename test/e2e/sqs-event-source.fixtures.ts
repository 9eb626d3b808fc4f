import type { SQSEvent } from 'aws-lambda';
import { InMemorySqs } from '../../adapters/memory/in-memory-sqs.js';
import { RecordingLogger } from '../../adapters/observability/recording-logger.js';
import { SystemClock } from '../../adapters/system/system-clock.js';
import { MemoryPolledQueue } from '../../harness/emulation/event-sources/memory-polled-queue.js';
import type { DeleteFailure, PolledQueue, ReceivedMessage } from '../../harness/emulation/event-sources/polled-queue.js';
import { SqsEventSource, type EventSourceSettings, type SqsBatchFunction } from '../../harness/emulation/event-sources/sqs-event-source.js';

export const SETTINGS: EventSourceSettings = {
  functionName: 'worker',
  batchSize: 10,
  batchingWindowMs: 0,
  maxConcurrency: 2,
  functionTimeoutMs: 2_000,
  pollIntervalMs: 10,
};

export interface Rig {
  readonly sqs: InMemorySqs;
  readonly events: SQSEvent[];
  readonly source: SqsEventSource;
  send(body: string, attributes?: Record<string, string>): string;
}

export interface QueueOptions {
  readonly maxReceiveCount?: number;
  /** Short by default, so that failed records come back quickly. */
  readonly visibilityTimeoutSeconds?: number;
  /** Wraps the queue the event source polls. */
  readonly polled?: (queue: PolledQueue) => PolledQueue;
}

export function rig(
  fn: SqsBatchFunction,
  settings: Partial<EventSourceSettings> = {},
  { maxReceiveCount = 5, visibilityTimeoutSeconds = 1, polled = (queue) => queue }: QueueOptions = {},
): Rig {
  const clock = new SystemClock();
  const sqs = new InMemorySqs({ clock });
  sqs.createQueue('dlq', { visibilityTimeoutSeconds: 1 });
  sqs.createQueue('orders', { visibilityTimeoutSeconds, redrivePolicy: { deadLetterQueue: 'dlq', maxReceiveCount } });
  const events: SQSEvent[] = [];
  const source = new SqsEventSource(
    polled(new MemoryPolledQueue(sqs, 'orders', clock)),
    async (event, context) => {
      events.push(event);
      return fn(event, context);
    },
    { ...SETTINGS, ...settings },
    new RecordingLogger(),
  );
  return { sqs, events, source, send: (body, attributes = {}) => sqs.sendMessage('orders', { body, attributes }) };
}

export const succeedAll: SqsBatchFunction = async () => ({ batchItemFailures: [] });

/** A promise the test settles: a stub that waits on it stays in flight for exactly as long as the test wants. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

/**
 * Holds the poller's first receive after a delivery until the test lets it go. The batching window's
 * deadline is checked only when a receive returns, so records sent while that receive is held arrive
 * inside the window however slowly the machine runs.
 */
export class HeldReceive implements PolledQueue {
  /** Settles once the receive after the first delivery is being held. */
  readonly holding = deferred();
  private readonly gate = deferred();
  private state: 'before delivery' | 'holding' | 'passing' = 'before delivery';
  private wrapped: PolledQueue | undefined;

  around(queue: PolledQueue): PolledQueue {
    this.wrapped = queue;
    return this;
  }

  get arn(): string {
    return this.inner.arn;
  }

  get region(): string {
    return this.inner.region;
  }

  letGo(): void {
    this.gate.resolve();
  }

  async receive(max: number): Promise<readonly ReceivedMessage[]> {
    if (this.state === 'holding') {
      this.holding.resolve();
      await this.gate.promise;
      this.state = 'passing';
    }
    const received = await this.inner.receive(max);
    if (this.state === 'before delivery' && received.length > 0) this.state = 'holding';
    return received;
  }

  deleteBatch(receiptHandles: readonly string[]): Promise<readonly DeleteFailure[]> {
    return this.inner.deleteBatch(receiptHandles);
  }

  release(receiptHandles: readonly string[]): Promise<void> {
    return this.inner.release(receiptHandles);
  }

  changeVisibility(receiptHandle: string, timeoutSeconds: number): Promise<void> {
    return this.inner.changeVisibility(receiptHandle, timeoutSeconds);
  }

  private get inner(): PolledQueue {
    if (this.wrapped === undefined) throw new Error('HeldReceive used before around(queue)');
    return this.wrapped;
  }
}
