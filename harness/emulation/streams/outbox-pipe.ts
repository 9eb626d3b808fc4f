import type { Clock } from '../../../application/ports/clock.js';
import type { DeadLetterQueue } from '../../../application/ports/dead-letter-queue.js';
import type { Logger } from '../../../application/ports/logger.js';
import type { RelayContext, StreamBatchResponse } from '../../../handlers/outbox-relay.js';
import { invoke } from '../lambda/invocation.js';
import { PollingLoop } from '../event-sources/polling-loop.js';
import { nextPipeBatch, PIPE_LOOKAHEAD, type StreamRecordJson, type TableStream } from './table-stream.js';

export interface OutboxPipeSettings {
  readonly batchSize: number;
  readonly pollIntervalMs: number;
  /** Retries of a failing batch before it goes to the pipe's DLQ (the deployed pipe's MaximumRetryAttempts). */
  readonly maxRetryAttempts: number;
  /** A record older than this goes to the DLQ instead of being retried (MaximumRecordAgeInSeconds). */
  readonly maxRecordAgeMs: number;
  readonly functionTimeoutMs: number;
}

/** As the stacks deploy the pipe (terraform/outbox-settings.ts), with the prod retries and record age. */
export const DEFAULT_OUTBOX_PIPE: Omit<OutboxPipeSettings, 'functionTimeoutMs' | 'pollIntervalMs'> = {
  batchSize: 10,
  maxRetryAttempts: 10,
  maxRecordAgeMs: 3_600_000,
};

export interface OutboxPipeStats {
  /** Age of the oldest record not yet consumed (the stream's iterator age); 0 when caught up. */
  readonly lagMs: number;
  readonly invocations: number;
  readonly recordsRelayed: number;
  readonly recordsFiltered: number;
  readonly retries: number;
  /** Batches given up on and sent to the outbox DLQ. */
  readonly deadLettered: number;
}

export type RelayFunction = (records: readonly StreamRecordJson[], context: RelayContext) => Promise<StreamBatchResponse>;

/**
 * The EventBridge Pipe from the table's stream to the outbox relay, as deployed: filter (only images with
 * undelivered events), batch, invoke, and on a partial failure retry from the first failed record with
 * backoff; a batch that keeps failing past the retry or age limit is described in a message to the pipe's
 * DLQ and skipped (the redrive's outbox sweep re-delivers from the records themselves).
 */
export class OutboxPipe {
  private readonly loop = new PollingLoop(() => this.turn());
  private working = false;
  private attempts = 0;
  private counters = { invocations: 0, recordsRelayed: 0, recordsFiltered: 0, retries: 0, deadLettered: 0 };
  private lagMs = 0;

  constructor(
    private readonly stream: TableStream,
    private readonly relay: RelayFunction,
    private readonly deadLetters: DeadLetterQueue,
    private readonly settings: OutboxPipeSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** True while a batch is being relayed or records wait on the stream. */
  busy(): boolean {
    return this.working || this.lagMs > 0;
  }

  /**
   * True when no batch is being relayed and nothing waits on the stream, read from the stream itself:
   * `busy()` knows only what the last poll saw, so between polls it misses a record written since (an
   * order completed a moment ago whose event the pipe has not picked up yet).
   */
  async caughtUp(): Promise<boolean> {
    if (this.working) return false;
    return (await this.stream.peek(1)).length === 0;
  }

  stats(): OutboxPipeStats {
    return { ...this.counters, lagMs: this.lagMs };
  }

  private async turn(): Promise<void> {
    let progressed = false;
    this.working = true;
    try {
      progressed = await this.step();
    } catch (error) {
      this.logger.error('outbox pipe poll failed; polling again', { error: error instanceof Error ? error.message : String(error) });
    } finally {
      this.working = false;
    }
    if (!progressed) await this.loop.pause(this.attempts > 0 ? this.backoffMs() : this.settings.pollIntervalMs);
  }

  /** One batch: true when the checkpoint moved. */
  private async step(): Promise<boolean> {
    const window = await this.stream.peek(PIPE_LOOKAHEAD);
    const oldest = window[0];
    this.lagMs = oldest === undefined ? 0 : Math.max(1, this.clock.now() - oldest.dynamodb.ApproximateCreationDateTime * 1000);
    if (window.length === 0) return false;
    const { span: records, batch } = nextPipeBatch(window, this.settings.batchSize);
    this.counters.recordsFiltered += this.attempts === 0 ? records.length - batch.length : 0;
    if (batch.length === 0) return this.consume(records.length);
    const failed = await this.invoke(batch);
    if (failed === undefined) {
      this.counters.recordsRelayed += batch.length;
      return this.consume(records.length);
    }
    // Everything before the first failed record is done; the pipe resumes from it.
    const firstFailed = records.indexOf(failed);
    const done = Math.max(0, firstFailed);
    this.counters.recordsRelayed += batch.filter((record) => records.indexOf(record) < done).length;
    if (done > 0) this.stream.advance(done);
    this.attempts += 1;
    const tooOld = this.clock.now() - failed.dynamodb.ApproximateCreationDateTime * 1000 > this.settings.maxRecordAgeMs;
    if (this.attempts > this.settings.maxRetryAttempts || tooOld) {
      await this.deadLetter(records.slice(done), tooOld ? 'record age' : 'retries');
      return this.consume(records.length - done);
    }
    this.counters.retries += 1;
    return done > 0;
  }

  /** The first record to retry, or undefined when the whole batch was relayed. */
  private async invoke(batch: readonly StreamRecordJson[]): Promise<StreamRecordJson | undefined> {
    this.counters.invocations += 1;
    const end = await invoke(
      { functionName: 'outbox-relay', requestId: `outbox-${this.counters.invocations}`, timeoutMs: this.settings.functionTimeoutMs },
      (invocation) => this.relay(batch, { getRemainingTimeInMillis: () => invocation.remainingMs() }),
    );
    if (end.kind !== 'returned') {
      this.logger.warn('outbox relay invocation failed; the batch is retried', { outcome: end.kind });
      return batch[0];
    }
    const failedIds = new Set(end.value.batchItemFailures.map((failure) => failure.itemIdentifier));
    return batch.find((record) => failedIds.has(record.eventID));
  }

  private consume(count: number): boolean {
    this.stream.advance(count);
    this.attempts = 0;
    return true;
  }

  /** What the deployed pipe sends its DLQ for a stream source: where the batch was, not its records. */
  private async deadLetter(records: readonly StreamRecordJson[], reason: string): Promise<void> {
    const first = records[0];
    const last = records[records.length - 1];
    const body = JSON.stringify({
      reason,
      batchSize: records.length,
      startSequenceNumber: first?.dynamodb.SequenceNumber,
      endSequenceNumber: last?.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord:
        first === undefined ? undefined : new Date(first.dynamodb.ApproximateCreationDateTime * 1000).toISOString(),
    });
    this.counters.deadLettered += 1;
    this.logger.warn("outbox batch given up on; described in the outbox DLQ for the redrive's sweep", { reason, records: records.length });
    try {
      await this.deadLetters.send([{ id: 'outbox', body, attributes: {} }]);
    } catch (error) {
      this.logger.error('outbox DLQ refused the batch description; the sweep still finds its records', {
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  private backoffMs(): number {
    return Math.min(5_000, this.settings.pollIntervalMs * 2 ** Math.min(this.attempts, 6));
  }
}
