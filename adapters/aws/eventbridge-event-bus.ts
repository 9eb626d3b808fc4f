import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Clock } from '../../application/ports/clock.js';
import type { EventBus, EventFailure, PipelineEvent, PublishEventsResult } from '../../application/ports/event-bus.js';
import type { Random } from '../../application/ports/random.js';
import { EVENTBRIDGE_BATCH_LIMITS, eventBridgeEntrySizeBytes, packBatches, type PackLimits } from '../../domain/batch-packing.js';
import {
  DEFAULT_ENTRY_RETRY_POLICY,
  entryFailure,
  failureOfError,
  sendWithEntryRetries,
  systemRetryTools,
  type EntryOutcome,
  type EntryRetryPolicy,
  type RetryTools,
} from './entry-retry.js';

export interface EventBridgeEventBusOptions {
  readonly client: EventBridgeClient;
  readonly eventBusName: string;
  readonly clock?: Pick<Clock, 'sleep'>;
  readonly random?: Random;
  readonly entryRetry?: EntryRetryPolicy;
  /** PutEvents limits; the request size limit differs by region and date (see docs/aws-adapters.md). */
  readonly limits?: PackLimits;
}

/** Per-entry codes worth sending again (AWS: only these two); every other code is final. */
const RETRYABLE_ENTRY_CODES = new Set(['InternalFailure', 'ThrottlingException']);

interface Prepared {
  readonly event: PipelineEvent;
  readonly entry: PutEventsRequestEntry;
  readonly size: number;
}

/**
 * The pipeline's events on an EventBridge bus. PutEvents answers 200 with failed entries inside: only
 * entries failed with a retryable code are re-sent, with backoff; the rest come back failed with their
 * category. `detail.eventId` carries the event's deterministic id so consumers can de-duplicate.
 */
export class EventBridgeEventBus implements EventBus {
  private readonly client: EventBridgeClient;
  private readonly eventBusName: string;
  private readonly tools: RetryTools;
  private readonly limits: PackLimits;

  constructor(options: EventBridgeEventBusOptions) {
    this.client = options.client;
    this.eventBusName = options.eventBusName;
    this.tools = {
      policy: options.entryRetry ?? DEFAULT_ENTRY_RETRY_POLICY,
      clock: options.clock ?? systemRetryTools.clock,
      random: options.random ?? systemRetryTools.random,
    };
    this.limits = options.limits ?? EVENTBRIDGE_BATCH_LIMITS;
  }

  async publish(events: readonly PipelineEvent[]): Promise<PublishEventsResult> {
    const prepared: Prepared[] = [];
    const failed: EventFailure[] = [];
    for (const event of events) {
      const entry = this.prepare(event);
      if (entry === undefined) failed.push({ event, ...pick(entryFailure('MalformedDetail', 'detail is not JSON-serialisable', false)) });
      else prepared.push(entry);
    }
    const { batches, oversized } = packBatches(prepared, ({ size }) => size, this.limits);
    const published: PipelineEvent[] = [];
    failed.push(...oversized.map(({ event }) => ({ event, code: 'EVENTBRIDGE.ENTRY_TOO_LARGE', category: 'VALIDATION' as const })));
    for (const [index, batch] of batches.entries()) {
      try {
        const result = await sendWithEntryRetries(batch, (entries) => this.putOnce(entries), this.tools);
        published.push(...result.succeeded.map(({ entry }) => entry.event));
        failed.push(...result.failed.map(({ entry, failure }) => ({ event: entry.event, ...pick(failure) })));
      } catch (error) {
        if (published.length === 0) throw error;
        const { code, category } = failureOfError(error);
        for (const rest of batches.slice(index)) failed.push(...rest.map(({ event }) => ({ event, code, category })));
        break;
      }
    }
    return { published, failed };
  }

  private prepare(event: PipelineEvent): Prepared | undefined {
    let detail: string;
    try {
      detail = JSON.stringify({ ...event.detail, eventId: event.eventId });
    } catch {
      return undefined;
    }
    const entry: PutEventsRequestEntry = {
      EventBusName: this.eventBusName,
      Source: event.source,
      DetailType: event.detailType,
      Detail: detail,
      Time: new Date(event.time),
    };
    return { event, entry, size: eventBridgeEntrySizeBytes({ source: event.source, detailType: event.detailType, detail, hasTime: true }) };
  }

  private async putOnce(batch: readonly Prepared[]): Promise<EntryOutcome<Prepared, string>[]> {
    const response = await this.client.send(new PutEventsCommand({ Entries: batch.map(({ entry }) => entry) }));
    const results = response.Entries ?? [];
    // Result entries are in request order, one per request entry.
    return batch.map((prepared, index) => {
      const result = results[index];
      if (result?.EventId !== undefined && result.ErrorCode === undefined) return { entry: prepared, ok: true, value: result.EventId };
      const code = result?.ErrorCode ?? 'InternalFailure';
      const retryable = RETRYABLE_ENTRY_CODES.has(code);
      return { entry: prepared, ok: false, failure: entryFailure(code, result?.ErrorMessage ?? code, retryable), retryable };
    });
  }
}

function pick({
  code,
  category,
}: {
  readonly code: string;
  readonly category: EventFailure['category'];
}): Pick<EventFailure, 'code' | 'category'> {
  return { code, category };
}
