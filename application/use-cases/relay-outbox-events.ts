import { inject, injectable } from 'inversify';
import { CircuitOpenError } from '../../domain/errors.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { pendingEntries } from '../../domain/outbox.js';
import { fromOutboxEntry } from '../events/outbox-events.js';
import type { PipelineConfig } from '../config/pipeline-config.js';
import type { Clock } from '../ports/clock.js';
import type { PipelineEvent } from '../ports/event-bus.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { OutboxChange } from '../ports/outbox-change.js';
import type { Random } from '../ports/random.js';
import { mapWithConcurrency } from '../support/concurrency.js';
import { TOKENS } from '../tokens.js';
import { PublishOrderEvents } from './publish-order-events.js';

/** Delivery marks written at once (a pipe batch is 10 records; a sweep may hand hundreds). */
const MARK_CONCURRENCY = 10;
/**
 * A delivery mark that failed is written again within the invocation, this many times in all, after a
 * full-jitter pause (base doubling from MARK_RETRY_BASE_MS): a mark lost to one throttled or failed
 * UpdateItem would otherwise make the pipe (or the next redelivery) send its events a second time.
 */
const MARK_TRIES = 3;
const MARK_RETRY_BASE_MS = 50;
/** What the relay leaves unspent while it waits out an open breaker (at most half of its time left). */
const BREAKER_WAIT_MARGIN_MS = 5_000;

/**
 * How many eventIds the relay remembers the bus accepted (per execution environment). A record's claim
 * (OrderPublished) and its completion (OrderProcessed) are two images, often in two pipe batches; the
 * second image still shows the first event undelivered (written before its mark): remembered, it is only
 * marked, not sent again. A cold environment forgets: the event is then re-sent with its eventId, as before.
 */
const RECENTLY_DELIVERED_CAPACITY = 10_000;

/*
 * The eventIds this relay marked delivered (a mark that succeeded: the stored entries carry deliveredAt), as
 * many as it remembers delivered. An image that owes only such entries is older than the relay's own mark, as
 * when a mark that left one event owed (OrderPublished marked, OrderProcessed still owed) is itself an image
 * the pipe hands on after the completion's image was marked: it is neither sent nor marked again (a delivery
 * mark is a billed write, and re-marking would rewrite deliveredAt). An image owing anything else is marked
 * as before, every entry this relay knows delivered included: so a replay written over a record read before
 * a mark (its condition does not see marks) still has its old entries marked with the new events it owes.
 */

/*
 * Stale images are read again, consistently, before their events are sent: a pipe image that still owes an
 * event committed longer ago than the sweep age. Only then can another relay, the redelivery's sweep (it
 * takes records owing events since before the sweep age), have delivered and marked it meanwhile, as when
 * the pipe retries a batch after an outage: sent as it is, every such event would go out twice. Younger
 * images, the happy path and a pipe lagging less than the sweep age, are sent as they are, with no extra
 * read; the sweep's own records carry no stream time and are not read again (its look-up confirms each
 * against its item with a consistent read).
 *
 * Images of a claimed record (INFLIGHT: OrderPublished owed, the worker at work) are read again too. The
 * worker completes within its invocation, usually before the pipe hands the claim's image on: read again,
 * the record then owes OrderProcessed as well, and both go out in this batch with one delivery mark that
 * clears the record. Marked from the image, the mark's condition (no entry appended since) would fail on
 * the completion's entry (a billed write), be written again for OrderPublished alone (moving the record in
 * the outbox-pending index: two index writes), and that mark's image (still owing OrderProcessed) would be
 * one more pipe request. A consistent read of an item under 4 KB is one read unit, a fifth of a write
 * unit's price. A record the worker has not completed yet reads as its image: it is sent as before.
 */
/** Consistent reads of stale images at once (a pipe batch is 10 records). */
const REREAD_CONCURRENCY = 10;

export type { OutboxChange } from '../ports/outbox-change.js';

export interface RelayResult {
  /** Ids of the changes whose events were not all delivered and marked: the partial batch response. */
  readonly failedIds: readonly string[];
  readonly delivered: number;
  /** Events the bus did not accept: their records still owe them. */
  readonly failed: number;
  /** Records whose delivered events could not be marked (after MARK_TRIES): they still owe them, and a retry re-sends them. */
  readonly unmarked: number;
}

export interface RelayOptions {
  /**
   * The invocation's time left (Lambda's getRemainingTimeInMillis). When given, the relay waits out its own
   * open EventBridge breaker within that time instead of failing the batch in milliseconds; without it (the
   * redelivery's sweep) an open breaker fails the events at once and the next run tries again.
   */
  readonly remainingTimeMs?: () => number | undefined;
}

/**
 * The outbox relay (the `outbox-relay` function, target of the pipe on the table's stream): sends the
 * undelivered events of each image with PutEvents (the bus batches ≤ 10 entries / the size limit and
 * re-sends only failed entries), then marks them delivered on the record. Entries are only ever appended,
 * so a later image of a key holds every entry of an earlier one: each event goes out once per batch.
 * A change whose events did not all go out, or whose mark still failed after MARK_TRIES, is reported, and
 * the pipe retries it (only the reported records: the partial batch response); a re-sent event keeps its
 * eventId, so consumers see a duplicate, never a second announcement.
 *
 * An open EventBridge breaker: the pipe retries a failing batch a bounded number of times
 * (maximumRetryAttempts) and then gives up on it. Answered at once, those retries would all be spent in
 * milliseconds against the relay's own open breaker, long before the bus could have recovered. So, inside
 * a pipe invocation, the relay waits until the breaker would admit a probe (bounded by half the
 * invocation's time left) before it answers: each retry of the pipe then spans up to one breaker recovery,
 * and the retry after the recovery probes with a whole invocation's time (probing at the end of a wait
 * would risk the invocation's timeout in the middle of the probe and its writes). What the pipe still gives up on is not lost: the redrive's
 * every-tick redelivery (RedeliverOutbox) finds every record owing events through the sparse index.
 */
@injectable()
export class RelayOutboxEvents {
  /** EventIds the bus accepted, oldest first (a Set keeps insertion order). */
  private readonly recentlyDelivered = new Set<string>();
  /** EventIds this relay marked delivered, oldest first. */
  private readonly recentlyMarked = new Set<string>();

  constructor(
    @inject(PublishOrderEvents) private readonly events: PublishOrderEvents,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
    @inject(TOKENS.Random) private readonly random: Random,
    @inject(TOKENS.PipelineConfig) private readonly config: PipelineConfig,
  ) {}

  async execute(changes: readonly OutboxChange[], options: RelayOptions = {}): Promise<RelayResult> {
    const now = this.clock.now();
    const ages = changes.flatMap((change) => (change.changedAt === undefined ? [] : [Math.max(0, now - change.changedAt)]));
    if (ages.length > 0) this.metrics.add('OutboxIteratorAgeMs', Math.max(...ages), 'Milliseconds');
    // Entries are only appended, and a key's images arrive in order: its latest image holds every entry.
    const latest = new Map<string, IdempotencyRecord>();
    for (const { record } of changes) latest.set(record.key, record);
    await this.refreshStale(changes, latest, now);
    const toSend = new Map<string, PipelineEvent>();
    for (const record of latest.values()) {
      for (const entry of pendingEntries(record.outbox)) {
        if (!toSend.has(entry.eventId) && !this.recentlyDelivered.has(entry.eventId) && !this.recentlyMarked.has(entry.eventId))
          toSend.set(entry.eventId, fromOutboxEntry(record, entry));
      }
    }
    const published = await this.publish([...toSend.values()], options);
    remember(this.recentlyDelivered, published);
    const delivered = (eventId: string): boolean => this.recentlyDelivered.has(eventId) || this.recentlyMarked.has(eventId);
    const unmarked = new Set<string>();
    // One mark per record, several at once: a batch's marks are independent writes.
    await mapWithConcurrency([...latest.values()], MARK_CONCURRENCY, async (record) => {
      const owed = pendingEntries(record.outbox).map((entry) => entry.eventId);
      const ids = owed.filter(delivered);
      if (ids.length === 0 || owed.every((eventId) => this.recentlyMarked.has(eventId))) return;
      if (await this.mark(record, ids)) remember(this.recentlyMarked, ids);
      else unmarked.add(record.key);
    });
    // A change fails on what its own image owed that is still owed: not delivered now, nor (re-read) by another relay.
    const stillOwed = (key: string, eventId: string): boolean =>
      pendingEntries(latest.get(key)?.outbox).some((entry) => entry.eventId === eventId);
    const owes = (record: IdempotencyRecord): boolean =>
      pendingEntries(record.outbox).some((entry) => !delivered(entry.eventId) && stillOwed(record.key, entry.eventId));
    const failedIds = changes.filter(({ record }) => unmarked.has(record.key) || owes(record)).map((change) => change.id);
    const failed = toSend.size - published.size;
    this.metrics.add('OutboxEventsDelivered', published.size, 'Count');
    if (failed > 0) this.metrics.add('OutboxEventsFailed', failed, 'Count');
    if (unmarked.size > 0) this.metrics.add('OutboxMarksFailed', unmarked.size, 'Count');
    return { failedIds, delivered: published.size, failed, unmarked: unmarked.size };
  }

  /**
   * Replaces each stale image and each claimed record's image (see above) with the record as it is now. A record gone (expired)
   * or a read that fails keeps its image: a duplicate delivery is allowed, a stranded event is not.
   */
  private async refreshStale(changes: readonly OutboxChange[], latest: Map<string, IdempotencyRecord>, now: number): Promise<void> {
    const sweptBefore = now - this.config.outboxSweepAgeSeconds * 1000;
    const imaged = new Set(changes.filter((change) => change.changedAt !== undefined).map((change) => change.record.key));
    const owing = [...imaged].filter((key) => {
      const image = latest.get(key);
      const owed = pendingEntries(image?.outbox).filter((entry) => !this.recentlyMarked.has(entry.eventId));
      if (image?.status === 'INFLIGHT' && owed.length > 0) return true;
      return owed.some((entry) => !this.recentlyDelivered.has(entry.eventId) && entry.time < sweptBefore);
    });
    if (owing.length === 0) return;
    let reread = 0;
    await mapWithConcurrency(owing, REREAD_CONCURRENCY, async (key) => {
      try {
        const current = await this.store.get(key, now);
        if (current !== undefined) latest.set(key, current);
        reread++;
      } catch (error) {
        this.logger.warn('outbox image not read again; its events are sent as the image has them', {
          idempotencyKey: key,
          error: String(error),
        });
      }
    });
    this.metrics.add('OutboxImagesReread', reread, 'Count');
  }

  /** The delivery mark, written again on failure (MARK_TRIES in all, full jitter); false when it never succeeded. */
  private async mark(record: IdempotencyRecord, eventIds: readonly string[]): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.store.markDelivered(record, eventIds, this.clock.now());
        return true;
      } catch (error) {
        if (attempt >= MARK_TRIES) {
          this.logger.warn('events delivered but not marked; the record still owes them and is reported for a retry, which re-sends them', {
            idempotencyKey: record.key,
            attempts: attempt,
            error: String(error),
          });
          return false;
        }
        await this.clock.sleep(this.random.next() * MARK_RETRY_BASE_MS * 2 ** (attempt - 1));
      }
    }
  }

  private async publish(events: readonly PipelineEvent[], options: RelayOptions): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    try {
      return await this.publishOnce(events);
    } catch (error) {
      if (error instanceof CircuitOpenError) await this.waitOut(error, options);
      this.logger.warn('outbox events not delivered; their records still owe them', { count: events.length, error: String(error) });
      return new Set();
    }
  }

  private async publishOnce(events: readonly PipelineEvent[]): Promise<Set<string>> {
    const result = await this.events.execute(events);
    for (const failure of result.failed.slice(0, 3))
      this.logger.warn('outbox event not delivered', { eventId: failure.event.eventId, code: failure.code, category: failure.category });
    return new Set(result.published.map((event) => event.eventId));
  }

  /**
   * Waits, within the invocation's time left, until the open breaker would admit a probe (or as long as
   * the invocation can afford), then lets the caller answer the pipe: its next retry comes that much later
   * and starts with a whole invocation's time for the probe and the writes. Not waited without an
   * invocation's time (the sweep).
   */
  private async waitOut(open: CircuitOpenError, options: RelayOptions): Promise<void> {
    const remaining = options.remainingTimeMs?.();
    if (remaining === undefined) return;
    const affordable = remaining - Math.min(BREAKER_WAIT_MARGIN_MS, remaining / 2);
    if (affordable <= 0) return;
    const wait = Math.min(open.retryAfterMs, affordable);
    this.logger.info('EventBridge breaker open: the relay waits for it before answering the pipe', {
      waitMs: wait,
      retryAfterMs: open.retryAfterMs,
    });
    await this.clock.sleep(wait);
  }
}

/** Adds `eventIds` to `memory` as its newest, forgetting the oldest past RECENTLY_DELIVERED_CAPACITY. */
function remember(memory: Set<string>, eventIds: Iterable<string>): void {
  for (const eventId of eventIds) {
    memory.delete(eventId);
    memory.add(eventId);
  }
  for (const oldest of memory) {
    if (memory.size <= RECENTLY_DELIVERED_CAPACITY) break;
    memory.delete(oldest);
  }
}
