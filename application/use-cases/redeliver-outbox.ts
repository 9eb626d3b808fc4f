import { inject, injectable, optional } from 'inversify';
import type { PipelineConfig } from '../config/pipeline-config.js';
import type { Clock } from '../ports/clock.js';
import type { DeadLetterQueue } from '../ports/dead-letter-queue.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import { TOKENS } from '../tokens.js';
import { RelayOutboxEvents } from './relay-outbox-events.js';

export interface RedeliverRequest {
  /** Take every record owing events, however young (an operator's request); the schedule leaves the young ones to the pipe. */
  readonly force?: boolean;
  readonly limit?: number;
}

export interface RedeliverReport {
  /** Notes of batches the pipe gave up on (its DLQ messages), read this run. */
  readonly deadLetters: number;
  /** Records found owing events since before the sweep age (all of them when forced). */
  readonly swept: number;
  readonly delivered: number;
  /** Events the bus did not accept this run: their records still owe them, and the next run finds them. */
  readonly failed: number;
  /** Records whose delivered events could not be marked: they still owe them, and the next run re-sends them. */
  readonly unmarked: number;
  /** DLQ notes deleted: only those every record they stand for must have been covered by this run's sweep. */
  readonly deadLettersCleared: number;
}

const SWEEP_LIMIT = 500;
/**
 * Look-ups of SWEEP_LIMIT records a run makes at most (5 000 records), and it starts no further page after
 * SWEEP_PAGES_TIME_MS: the scheduled run redrives the DLQ afterwards, within the function's timeout (the
 * redrive keeps a 15 s margin). The next run takes the rest.
 */
const SWEEP_PAGES = 10;
const SWEEP_PAGES_TIME_MS = 10_000;
/**
 * While a run sweeps, its DLQ notes are hidden this long; the notes it could not yet answer (the bus still
 * down, or sent after the sweep's cutoff) are visible again well before the next scheduled run.
 */
const DLQ_VISIBILITY_SECONDS = 5;

/**
 * Delivers what the outbox still owes, on every scheduled tick, whether or not the pipe noted anything: a
 * record owing events is found through the sparse index (by the commit time of its oldest undelivered
 * entry, older than the sweep age so that the pipe is not raced over fresh commits) and relayed again. So
 * no timing strands an event: not the pipe's give-up, not a restart that reads the stream from new writes
 * on, not a DLQ note read before its records were old enough to be swept.
 *
 * A pipe's DLQ note names a stream batch (shard, sequence numbers), not its records; every record it stands
 * for owed events before the note was sent. So a note is answered, and deleted, only by a run whose sweep
 * reached past the note's send time (cutoff later than `sentAt`), found everything owed before that cutoff
 * (fewer than the limit) and left none of it owing. Any other note stays for a later run.
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
    const now = this.clock.now();
    const cutoff = request.force === true ? now + 1 : now - this.config.outboxSweepAgeSeconds * 1000;
    const limit = request.limit ?? SWEEP_LIMIT;
    let swept = 0;
    let delivered = 0;
    let failed = 0;
    let unmarked = 0;
    let left = 0;
    let exhausted = false;
    // A backlog larger than one look-up is taken page after page, while each page is delivered whole.
    const more = (page: number): boolean =>
      page === 0 || (page < SWEEP_PAGES && !exhausted && left === 0 && this.clock.now() - now < SWEEP_PAGES_TIME_MS);
    for (let page = 0; more(page); page++) {
      // Forced (an operator): a scan, which also finds records written before the index existed.
      const records = await this.store.find({ pendingEventsBefore: cutoff, limit, ...(request.force === true ? { scan: true } : {}) }, now);
      // No invocation time given: an open breaker fails the sweep at once, and the next tick tries again.
      const result = await this.relay.execute(records.map((record) => ({ id: record.key, record })));
      swept += records.length;
      delivered += result.delivered;
      failed += result.failed;
      unmarked += result.unmarked;
      left += result.failedIds.length;
      exhausted = records.length < limit;
    }
    const covered = exhausted && left === 0;
    const answered = covered ? messages.filter((message) => message.sentAt < cutoff) : [];
    let cleared = 0;
    if (answered.length > 0 && this.deadLetters !== undefined) {
      const undeleted = await this.deadLetters.delete(answered.map((message) => message.receiptHandle));
      cleared = answered.length - undeleted.length;
    }
    const report: RedeliverReport = {
      deadLetters: messages.length,
      swept,
      delivered,
      failed,
      unmarked,
      deadLettersCleared: cleared,
    };
    if (left > 0)
      this.logger.warn('outbox redelivery left records owing events; the next run finds them again', { ...report, recordsLeft: left });
    else this.logger.info('outbox redelivery finished', { ...report });
    return report;
  }
}
