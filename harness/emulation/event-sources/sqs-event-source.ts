import { randomUUID } from 'node:crypto';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { Logger } from '../../../application/ports/logger.js';
import { interpretBatchResponse } from './batch-response.js';
import { invoke, type InvocationEnd } from '../lambda/invocation.js';
import { lambdaContext } from '../lambda/lambda-context.js';
import { PollingLoop } from './polling-loop.js';
import type { PolledQueue, ReceivedMessage } from './polled-queue.js';
import { toSqsRecord } from './sqs-event.js';

/** The function an SQS event source mapping invokes; it may return anything, or throw. */
export type SqsBatchFunction = (event: SQSEvent, context: Context) => Promise<unknown>;

export interface EventSourceSettings {
  readonly functionName: string;
  /** BatchSize: records per invocation. */
  readonly batchSize: number;
  /** MaximumBatchingWindowInSeconds, in ms: how long to keep gathering once the first record arrived. */
  readonly batchingWindowMs: number;
  /** ScalingConfig.MaximumConcurrency: invocations in flight at once. */
  readonly maxConcurrency: number;
  readonly functionTimeoutMs: number;
  /** Pause before polling an empty queue again. */
  readonly pollIntervalMs: number;
}

export type InvocationOutcome = 'succeeded' | 'partial' | 'threw' | 'invalid-response' | 'timed-out' | 'crashed';

export interface InvocationReport {
  readonly requestId: string;
  readonly at: number;
  readonly records: number;
  /** Records returned to the queue (not deleted). */
  readonly returned: number;
  readonly outcome: InvocationOutcome;
  readonly reason?: string;
  readonly durationMs: number;
}

export interface EventSourceStats {
  readonly invocations: number;
  readonly recordsDelivered: number;
  readonly recordsDeleted: number;
  readonly recordsReturned: number;
  readonly outcomes: Readonly<Record<InvocationOutcome, number>>;
  readonly inFlightBatches: number;
  readonly recent: readonly InvocationReport[];
}

/** Lambda's synchronous invocation payload limit. */
const MAX_INVOKE_PAYLOAD_BYTES = 6 * 1024 * 1024;
const SQS_RECEIVE_LIMIT = 10;
const RECENT_INVOCATIONS = 25;

/**
 * Lambda's SQS event source mapping, in process: it polls the queue, gathers up to `batchSize` records
 * within the batching window (and the 6 MB payload), keeps at most `maxConcurrency` batches in flight,
 * invokes the function with a real SQSEvent, and deletes only what succeeded under ReportBatchItemFailures.
 * A throw, a timeout, a crash or an invalid answer fails the whole batch: nothing is deleted, and the
 * records come back when their visibility timeout ends (or go to the DLQ after maxReceiveCount receives,
 * which the queue itself decides). The poller survives whatever the function does.
 */
export class SqsEventSource {
  private readonly loop = new PollingLoop(() => this.turn());
  private readonly inFlight = new Set<Promise<void>>();
  /** Records received and not yet handed to an invocation (a batch being gathered). */
  private held = 0;
  private readonly outcomes: Record<InvocationOutcome, number> = {
    succeeded: 0,
    partial: 0,
    threw: 0,
    'invalid-response': 0,
    'timed-out': 0,
    crashed: 0,
  };
  private readonly recent: InvocationReport[] = [];
  private counters = { invocations: 0, recordsDelivered: 0, recordsDeleted: 0, recordsReturned: 0 };

  constructor(
    private readonly queue: PolledQueue,
    private readonly fn: SqsBatchFunction,
    private readonly settings: EventSourceSettings,
    private readonly logger: Logger,
    /** Told of the records each invocation got deleted from the queue: the ones the function acknowledged. */
    private readonly onAcknowledged: (messages: readonly ReceivedMessage[]) => void = () => undefined,
    /** True while the mapping is disabled (fleet flow control): no receive, batches in flight finish. */
    private readonly paused: () => boolean = () => false,
  ) {}

  start(): void {
    this.loop.start();
  }

  /** Stops polling; batches already received are still invoked, and every invocation is awaited. */
  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.all([...this.inFlight]);
  }

  /**
   * True while it holds records: a batch gathered but not yet invoked, or an invocation in flight. A
   * receive that has brought nothing yet does not count: a record it takes is in flight on the queue,
   * which the queue's depth shows (a long poll on an empty queue would otherwise keep it busy for good).
   */
  busy(): boolean {
    return this.inFlight.size > 0 || this.held > 0;
  }

  stats(): EventSourceStats {
    return { ...this.counters, outcomes: { ...this.outcomes }, inFlightBatches: this.inFlight.size, recent: [...this.recent] };
  }

  private async turn(): Promise<void> {
    if (this.paused()) {
      // A disabled mapping's pollers receive nothing: messages keep their receive counts.
      await this.loop.pause(this.settings.pollIntervalMs);
      return;
    }
    if (this.inFlight.size >= this.settings.maxConcurrency) {
      await Promise.race([...this.inFlight]);
      return;
    }
    let batch: ReceivedMessage[] = [];
    try {
      batch = await this.gather();
    } catch (error) {
      this.logger.error('event source poll failed; polling again', {
        functionName: this.settings.functionName,
        error: errorMessage(error),
      });
    } finally {
      // The batch is handed to dispatch below, in the same turn: it is never held by nobody.
      this.held = 0;
    }
    if (batch.length > 0) this.dispatch(batch);
    else await this.loop.pause(this.settings.pollIntervalMs);
  }

  private async gather(): Promise<ReceivedMessage[]> {
    const batch: ReceivedMessage[] = [];
    let bytes = 0;
    let deadline: number | undefined;
    while (batch.length < this.settings.batchSize) {
      let received: readonly ReceivedMessage[];
      try {
        received = await this.queue.receive(Math.min(SQS_RECEIVE_LIMIT, this.settings.batchSize - batch.length));
      } catch (error) {
        if (batch.length === 0) throw error;
        break; // invoke with what was gathered; the next poll tries again
      }
      const overflow: ReceivedMessage[] = [];
      for (const message of received) {
        const size = recordBytes(message, this.queue);
        if (bytes + size > MAX_INVOKE_PAYLOAD_BYTES) overflow.push(message);
        else {
          batch.push(message);
          bytes += size;
        }
      }
      this.held = batch.length;
      if (overflow.length > 0) {
        await this.queue.release(overflow.map((message) => message.receiptHandle));
        break;
      }
      if (batch.length === 0 || !this.loop.running) break;
      deadline ??= Date.now() + this.settings.batchingWindowMs;
      const left = deadline - Date.now();
      if (left <= 0 || batch.length >= this.settings.batchSize) break;
      if (received.length === 0) await this.loop.pause(Math.min(this.settings.pollIntervalMs, left));
    }
    return batch;
  }

  private dispatch(batch: readonly ReceivedMessage[]): void {
    const running: Promise<void> = this.invokeBatch(batch)
      .catch((error: unknown) => {
        this.logger.error('event source could not settle a batch; its records come back after the visibility timeout', {
          error: errorMessage(error),
        });
      })
      .finally(() => {
        this.inFlight.delete(running);
        this.loop.wake();
      });
    this.inFlight.add(running);
  }

  private async invokeBatch(batch: readonly ReceivedMessage[]): Promise<void> {
    const requestId = randomUUID();
    const records: SQSRecord[] = batch.map((message) => toSqsRecord(message, this.queue));
    this.counters.invocations += 1;
    this.counters.recordsDelivered += records.length;
    const end = await invoke(
      { functionName: this.settings.functionName, requestId, timeoutMs: this.settings.functionTimeoutMs },
      (invocation) => this.fn({ Records: records }, lambdaContext(invocation)),
    );
    const { outcome, failedIds, reason } = judge(
      end,
      records.map((record) => record.messageId),
    );
    const succeeded = batch.filter((message) => !failedIds.has(message.messageId));
    const undeleted = succeeded.length === 0 ? [] : await this.queue.deleteBatch(succeeded.map((message) => message.receiptHandle));
    for (const failure of undeleted)
      this.logger.warn('could not delete a processed record; it will be delivered again', { requestId, reason: failure.reason });
    const kept = new Set(undeleted.map((failure) => failure.receiptHandle));
    this.onAcknowledged(succeeded.filter((message) => !kept.has(message.receiptHandle)));
    const returned = batch.length - succeeded.length + undeleted.length;
    this.counters.recordsDeleted += succeeded.length - undeleted.length;
    this.counters.recordsReturned += returned;
    this.outcomes[outcome] += 1;
    this.remember({
      requestId,
      at: Date.now(),
      records: batch.length,
      returned,
      outcome,
      durationMs: end.durationMs,
      ...(reason === undefined ? {} : { reason }),
    });
    const fields = {
      functionName: this.settings.functionName,
      requestId,
      records: batch.length,
      returned,
      outcome,
      durationMs: end.durationMs,
      ...(reason === undefined ? {} : { reason }),
    };
    if (outcome === 'succeeded' || outcome === 'partial') this.logger.info('invocation finished', fields);
    else this.logger.warn('invocation failed; the whole batch returns to the queue', fields);
  }

  private remember(report: InvocationReport): void {
    this.recent.unshift(report);
    if (this.recent.length > RECENT_INVOCATIONS) this.recent.pop();
  }
}

function judge(
  end: InvocationEnd<unknown>,
  messageIds: readonly string[],
): { outcome: InvocationOutcome; failedIds: ReadonlySet<string>; reason?: string } {
  const all = new Set(messageIds);
  switch (end.kind) {
    case 'threw':
      return { outcome: 'threw', failedIds: all, reason: errorMessage(end.error) };
    case 'timed-out':
      return { outcome: 'timed-out', failedIds: all, reason: 'Task timed out' };
    case 'crashed':
      return { outcome: 'crashed', failedIds: all, reason: end.reason };
    case 'returned': {
      const verdict = interpretBatchResponse(end.value, messageIds);
      if (verdict.kind === 'invalid') return { outcome: 'invalid-response', failedIds: all, reason: verdict.reason };
      return { outcome: verdict.failedIds.size === 0 ? 'succeeded' : 'partial', failedIds: verdict.failedIds };
    }
  }
}

function recordBytes(message: ReceivedMessage, source: PolledQueue): number {
  return Buffer.byteLength(JSON.stringify(toSqsRecord(message, source)), 'utf8') + 1;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
