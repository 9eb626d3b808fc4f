import type { Clock } from '../../application/ports/clock.js';
import type { EventBus, EventFailure, PipelineEvent, PublishEventsResult } from '../../application/ports/event-bus.js';
import type { Random } from '../../application/ports/random.js';
import { fullJitter, type BackoffBounds } from '../../domain/backoff.js';
import { EVENTBRIDGE_BATCH_LIMITS, eventBridgeEntrySizeBytes, packBatches, type PackLimits } from '../../domain/batch-packing.js';
import { classifyError } from '../../domain/error-classifier.js';
import { isRetryablePutEventsErrorCode, putEventsEntryFailure } from './put-events-error-codes.js';
import { resourceNotFound } from './service-error.js';

export const EVENT_TOO_LARGE_CODE = 'EVENTBRIDGE.ENTRY_TOO_LARGE';

/** Decides whether an entry fails on this attempt: an ErrorCode such as `ThrottlingException`, or undefined. */
export type EntryFailurePredicate = (event: PipelineEvent, attempt: number) => string | undefined;

export type DeliveryListener = (event: PipelineEvent) => void;

export interface MemoryEventBusOptions {
  readonly clock: Clock;
  readonly random: Random;
  /** Re-sends of a failed entry after the first attempt. */
  readonly maxRetries?: number;
  /** Full-jitter backoff between re-sends, in ms. */
  readonly backoff?: BackoffBounds;
  readonly limits?: PackLimits;
  /** Named in the error a deleted bus answers with. Default `default`. */
  readonly eventBusName?: string;
}

/** The same as the EventBridge adapter's entry retry policy. */
export const MEMORY_EVENT_BUS_DEFAULTS = { maxRetries: 3, backoff: { base: 50, cap: 1_000 } } as const;

interface Entry {
  readonly event: PipelineEvent;
  /** The detail as sent: the event's detail plus its eventId, as the EventBridge adapter sends it. */
  readonly detail: string;
}

/**
 * An EventBridge stand-in. It splits like the real adapter (≤ 10 entries and the request byte limit), can
 * fail entries the way a 200 PutEvents response does (`failNext`, `failWhen`), re-sends only the failed
 * entries whose ErrorCode is retryable, a bounded number of times with full-jitter backoff on the clock,
 * and returns what still failed. Delivered events are kept as a consumer would see them (the detail parsed
 * back from JSON, `eventId` included) and handed to subscribers.
 *
 * Once `deleteBus` is called, every PutEvents request is refused with ResourceNotFoundException, and
 * `publish` surfaces it as the EventBridge adapter does on moto: thrown while nothing was published, the
 * events left reported failed afterwards. EventBridge itself has been reported to answer 200 with an EventId
 * per entry and drop the events (aws/aws-sdk#186, aws/aws-cli#9186): the fake follows moto, which refuses.
 */
export class MemoryEventBus implements EventBus {
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly maxRetries: number;
  private readonly backoff: BackoffBounds;
  private readonly limits: PackLimits;
  private readonly eventBusName: string;
  private deleted = false;
  private readonly deliveredEvents: PipelineEvent[] = [];
  private readonly listeners = new Set<DeliveryListener>();
  private readonly listenerFailures: unknown[] = [];
  private scriptedFailures: { remaining: number; errorCode: string } | undefined;
  private failurePredicate: EntryFailurePredicate | undefined;
  private putEventsCalls = 0;

  constructor(options: MemoryEventBusOptions) {
    this.clock = options.clock;
    this.random = options.random;
    this.maxRetries = options.maxRetries ?? MEMORY_EVENT_BUS_DEFAULTS.maxRetries;
    this.backoff = options.backoff ?? MEMORY_EVENT_BUS_DEFAULTS.backoff;
    this.limits = options.limits ?? EVENTBRIDGE_BATCH_LIMITS;
    this.eventBusName = options.eventBusName ?? 'default';
    if (!(Number.isInteger(this.maxRetries) && this.maxRetries >= 0)) {
      throw new RangeError(`maxRetries must be an integer ≥ 0, got ${this.maxRetries}`);
    }
  }

  async publish(events: readonly PipelineEvent[]): Promise<PublishEventsResult> {
    const published: PipelineEvent[] = [];
    const failed: EventFailure[] = [];
    const entries: Entry[] = [];
    for (const event of events) {
      const detail = serializeDetail(event);
      if (detail === undefined) failed.push(putEventsEntryFailure(event, 'MalformedDetail'));
      else entries.push({ event, detail });
    }
    const { batches, oversized } = packBatches(entries, sizeOfEntry, this.limits);
    for (const { event } of oversized) {
      failed.push({ event, code: EVENT_TOO_LARGE_CODE, category: 'VALIDATION' });
    }
    for (const [index, batch] of batches.entries()) {
      try {
        const outcome = await this.sendWithRetries(batch);
        published.push(...outcome.published);
        failed.push(...outcome.failed);
      } catch (error) {
        if (published.length === 0) throw error;
        const { code, category } = classifyError(error);
        for (const rest of batches.slice(index)) failed.push(...rest.map(({ event }) => ({ event, code, category })));
        break;
      }
    }
    return { published, failed };
  }

  /** From now on every PutEvents request is refused, as for a bus that does not exist. */
  deleteBus(): void {
    this.deleted = true;
  }

  /** The next `count` entries sent (re-sends included) fail with `errorCode`. */
  failNext(count: number, errorCode = 'InternalFailure'): void {
    this.scriptedFailures = { remaining: count, errorCode };
  }

  /** Consulted for every entry sent after `failNext`'s entries are used up; undefined removes the hook. */
  failWhen(predicate: EntryFailurePredicate | undefined): void {
    this.failurePredicate = predicate;
  }

  clearFailures(): void {
    this.scriptedFailures = undefined;
    this.failurePredicate = undefined;
  }

  /** Calls `listener` with each event as it is delivered; returns the unsubscribe function. */
  subscribe(listener: DeliveryListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  delivered(): readonly PipelineEvent[] {
    return [...this.deliveredEvents];
  }

  /** PutEvents requests made so far (each attempt of each batch counts). */
  requestCount(): number {
    return this.putEventsCalls;
  }

  /** What listeners threw: kept rather than thrown, since a consumer's failure does not fail a publish. */
  listenerErrors(): readonly unknown[] {
    return [...this.listenerFailures];
  }

  clearDelivered(): void {
    this.deliveredEvents.length = 0;
  }

  private async sendWithRetries(batch: readonly Entry[]): Promise<PublishEventsResult> {
    const published: PipelineEvent[] = [];
    const failed: EventFailure[] = [];
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      let answers: { entry: Entry; errorCode: string | undefined }[];
      try {
        answers = this.putEvents(pending, attempt);
      } catch (error) {
        // A refused re-send settles what it carried, as the adapter's entry retry does; the first is thrown.
        if (attempt === 1) throw error;
        const { code, category } = classifyError(error);
        failed.push(...pending.map(({ event }) => ({ event, code, category })));
        break;
      }
      const retry: Entry[] = [];
      for (const { entry, errorCode } of answers) {
        if (errorCode === undefined) {
          published.push(entry.event);
          continue;
        }
        if (isRetryablePutEventsErrorCode(errorCode) && attempt <= this.maxRetries) retry.push(entry);
        else failed.push(putEventsEntryFailure(entry.event, errorCode));
      }
      if (retry.length > 0) await this.clock.sleep(fullJitter(attempt, () => this.random.next(), this.backoff));
      pending = retry;
    }
    return { published, failed };
  }

  /** One PutEvents request: each entry is delivered or fails with an ErrorCode, independently. */
  private putEvents(entries: readonly Entry[], attempt: number): { entry: Entry; errorCode: string | undefined }[] {
    this.putEventsCalls += 1;
    if (this.deleted) throw resourceNotFound(`Event bus ${this.eventBusName} does not exist.`);
    return entries.map((entry) => {
      const errorCode = this.injectedFailure(entry.event, attempt);
      if (errorCode === undefined) this.deliver(entry);
      return { entry, errorCode };
    });
  }

  private injectedFailure(event: PipelineEvent, attempt: number): string | undefined {
    if (this.scriptedFailures !== undefined && this.scriptedFailures.remaining > 0) {
      this.scriptedFailures.remaining -= 1;
      return this.scriptedFailures.errorCode;
    }
    return this.failurePredicate?.(event, attempt);
  }

  private deliver(entry: Entry): void {
    const delivered: PipelineEvent = { ...entry.event, detail: JSON.parse(entry.detail) as Record<string, unknown> };
    this.deliveredEvents.push(delivered);
    for (const listener of this.listeners) {
      try {
        listener(delivered);
      } catch (error) {
        this.listenerFailures.push(error);
      }
    }
  }
}

function serializeDetail(event: PipelineEvent): string | undefined {
  try {
    return JSON.stringify({ ...event.detail, eventId: event.eventId });
  } catch {
    return undefined;
  }
}

function sizeOfEntry(entry: Entry): number {
  return eventBridgeEntrySizeBytes({ source: entry.event.source, detailType: entry.event.detailType, detail: entry.detail, hasTime: true });
}
