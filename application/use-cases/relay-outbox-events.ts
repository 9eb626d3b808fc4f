import { inject, injectable } from 'inversify';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import { pendingEntries } from '../../domain/outbox.js';
import { fromOutboxEntry } from '../outbox-events.js';
import type { Clock } from '../ports/clock.js';
import type { PipelineEvent } from '../ports/event-bus.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import { mapWithConcurrency } from '../services/concurrency.js';
import { TOKENS } from '../tokens.js';

/** Delivery marks written at once (a pipe batch is 10 records; a sweep may hand hundreds). */
const MARK_CONCURRENCY = 10;

/**
 * How many eventIds the relay remembers the bus accepted (per execution environment). A record's claim
 * (OrderPublished) and its completion (OrderProcessed) are two images, often in two pipe batches; the
 * second image still shows the first event undelivered (written before its mark): remembered, it is only
 * marked, not sent again. A cold environment forgets: the event is then re-sent with its eventId, as before.
 */
const RECENTLY_DELIVERED_CAPACITY = 10_000;
import { PublishOrderEvents } from './publish-order-events.js';

/** One image of a record that carries undelivered events: a stream record (or a record the sweep found). */
export interface OutboxChange {
  /** What a failure is reported by: the stream record's eventID (the pipe retries from it). */
  readonly id: string;
  readonly record: IdempotencyRecord;
  /** Epoch ms at which the change was written (the stream's ApproximateCreationDateTime), for the lag. */
  readonly changedAt?: number;
}

export interface RelayResult {
  /** Ids of the changes whose events were not all delivered and marked: the partial batch response. */
  readonly failedIds: readonly string[];
  readonly delivered: number;
  readonly failed: number;
}

/**
 * The outbox relay (the `events` function, target of the pipe on the table's stream): sends the
 * undelivered events of each image with PutEvents (the bus batches ≤ 10 entries / the size limit and
 * re-sends only failed entries), then marks them delivered on the record. Entries are only ever appended,
 * so a later image of a key holds every entry of an earlier one: each event goes out once per batch.
 * A change whose events did not all go out, or whose mark failed, is reported, and the pipe retries it;
 * a re-sent event keeps its eventId, so consumers see a duplicate, never a second announcement.
 */
@injectable()
export class RelayOutboxEvents {
  /** EventIds the bus accepted, oldest first (a Set keeps insertion order). */
  private readonly recentlyDelivered = new Set<string>();

  constructor(
    @inject(PublishOrderEvents) private readonly events: PublishOrderEvents,
    @inject(TOKENS.IdempotencyStore) private readonly store: IdempotencyStore,
    @inject(TOKENS.Clock) private readonly clock: Clock,
    @inject(TOKENS.Logger) private readonly logger: Logger,
    @inject(TOKENS.Metrics) private readonly metrics: Metrics,
  ) {}

  async execute(changes: readonly OutboxChange[]): Promise<RelayResult> {
    const now = this.clock.now();
    const ages = changes.flatMap((change) => (change.changedAt === undefined ? [] : [Math.max(0, now - change.changedAt)]));
    if (ages.length > 0) this.metrics.add('OutboxIteratorAgeMs', Math.max(...ages), 'Milliseconds');
    const latest = new Map<string, IdempotencyRecord>();
    const toSend = new Map<string, PipelineEvent>();
    for (const { record } of changes) {
      latest.set(record.key, record);
      for (const entry of pendingEntries(record.outbox)) {
        if (!toSend.has(entry.eventId) && !this.recentlyDelivered.has(entry.eventId)) toSend.set(entry.eventId, fromOutboxEntry(record, entry));
      }
    }
    const published = await this.publish([...toSend.values()]);
    this.remember(published);
    const delivered = (eventId: string): boolean => this.recentlyDelivered.has(eventId);
    const unmarked = new Set<string>();
    // One mark per record, several at once: a batch's marks are independent writes.
    await mapWithConcurrency([...latest.values()], MARK_CONCURRENCY, async (record) => {
      const ids = pendingEntries(record.outbox).map((entry) => entry.eventId).filter(delivered);
      if (ids.length === 0) return;
      try {
        await this.store.markDelivered(record, ids, this.clock.now());
      } catch (error) {
        unmarked.add(record.key);
        this.logger.warn('events delivered but not marked; the change is retried', { idempotencyKey: record.key, error: String(error) });
      }
    });
    const failedIds = changes
      .filter(({ record }) => unmarked.has(record.key) || pendingEntries(record.outbox).some((entry) => !delivered(entry.eventId)))
      .map((change) => change.id);
    const failed = toSend.size - published.size;
    this.metrics.add('OutboxEventsDelivered', published.size, 'Count');
    if (failed > 0) this.metrics.add('OutboxEventsFailed', failed, 'Count');
    return { failedIds, delivered: published.size, failed };
  }

  private remember(eventIds: ReadonlySet<string>): void {
    for (const eventId of eventIds) {
      this.recentlyDelivered.delete(eventId);
      this.recentlyDelivered.add(eventId);
    }
    for (const oldest of this.recentlyDelivered) {
      if (this.recentlyDelivered.size <= RECENTLY_DELIVERED_CAPACITY) break;
      this.recentlyDelivered.delete(oldest);
    }
  }

  private async publish(events: readonly PipelineEvent[]): Promise<Set<string>> {
    if (events.length === 0) return new Set();
    try {
      const result = await this.events.execute(events);
      for (const failure of result.failed.slice(0, 3)) this.logger.warn('outbox event not delivered', { eventId: failure.event.eventId, code: failure.code, category: failure.category });
      return new Set(result.published.map((event) => event.eventId));
    } catch (error) {
      this.logger.warn('outbox events not delivered; the pipe retries them', { count: events.length, error: String(error) });
      return new Set();
    }
  }
}
