import { inject, injectable, optional } from 'inversify';
import type { PipelineConfig } from '../config.js';
import type { Clock } from '../ports/clock.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import { TOKENS } from '../tokens.js';
import { RelayOutboxEvents } from './relay-outbox-events.js';

export interface RedeliverRequest {
  /** Sweep even when the pipe's DLQ is empty (an operator's request). */
  readonly force?: boolean;
  readonly limit?: number;
}

export interface RedeliverReport {
  /** Batches the pipe gave up on (its DLQ messages), read this run. */
  readonly deadLetters: number;
  /** Records found with events undelivered for longer than the sweep age. */
  readonly swept: number;
  readonly delivered: number;
  readonly failed: number;
  /** DLQ messages deleted: only after a sweep that left nothing undelivered. */
  readonly deadLettersCleared: number;
}

const SWEEP_LIMIT = 500;
/**
 * While a run sweeps, its DLQ messages are hidden this long; a run whose sweep left events undelivered
 * (the bus still down) leaves them, and they are visible again well before the next scheduled run.
 */
const DLQ_VISIBILITY_SECONDS = 5;

/**
 * Re-delivers what the outbox pipe gave up on. A pipe's DLQ message names a stream batch, not its events,
 * and the stream keeps records for 24 h only; the records themselves are the truth: every record still
 * carrying undelivered events (older than the sweep age, so the pipe is not raced) is relayed again. The
 * DLQ messages read are deleted only when the sweep left nothing undelivered; otherwise they stay, and
 * the next scheduled run tries again. With an empty DLQ the sweep (a table scan) runs only when forced.
 */
@injectable()
export class RedeliverOutbox {
  constructor(
    @inject(TOKENS.OutboxDeadLetterQueue) @optional() private readonly deadLetters: DeadLetterQueue | undefined,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(RelayOutboxEvents) private readonly relay: RelayOutboxEvents,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {}

  async execute(request: RedeliverRequest = {}): Promise<RedeliverReport> {
    const messages = this.deadLetters === undefined ? [] : await this.deadLetters.receive(100, DLQ_VISIBILITY_SECONDS);
    if (messages.length === 0 && request.force !== true) return { deadLetters: 0, swept: 0, delivered: 0, failed: 0, deadLettersCleared: 0 };
    const before = this.clock.now() - this.config.outboxSweepAgeSeconds * 1000;
    const limit = request.limit ?? SWEEP_LIMIT;
    const records = await this.store.find({ pendingEventsBefore: before, limit }, this.clock.now());
    const result = await this.relay.execute(records.map((record) => ({ id: record.key, record })));
    let cleared = 0;
    // Fewer than asked for: nothing older is left owing events, so the DLQ's notes are all answered.
    const sweptAll = records.length < limit;
    if (result.failedIds.length === 0 && sweptAll && messages.length > 0 && this.deadLetters !== undefined) {
      const undeleted = await this.deadLetters.delete(messages.map((message) => message.receiptHandle));
      cleared = messages.length - undeleted.length;
    }
    const report: RedeliverReport = { deadLetters: messages.length, swept: records.length, delivered: result.delivered, failed: result.failed, deadLettersCleared: cleared };
    this.logger.info('outbox redelivery finished', { ...report });
    return report;
  }
}
