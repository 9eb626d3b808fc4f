import type { ErrorCategory } from '../../domain/error-category.js';

export interface PipelineEvent {
  /** Deterministic id (also put in `detail.eventId`) so consumers can de-duplicate re-sent events. */
  readonly eventId: string;
  /** EventBridge `source`, e.g. `orders.pipeline`. */
  readonly source: string;
  /** EventBridge `detail-type`, e.g. `OrderProcessed`. */
  readonly detailType: string;
  readonly detail: Readonly<Record<string, unknown>>;
  /** Epoch milliseconds. */
  readonly time: number;
}

export interface EventFailure {
  readonly event: PipelineEvent;
  readonly code: string;
  readonly category: ErrorCategory;
}

export interface PublishEventsResult {
  readonly published: readonly PipelineEvent[];
  readonly failed: readonly EventFailure[];
}

/**
 * Where the pipeline announces what happened. Adapters split into requests of ≤ 10 entries and the
 * size limit, re-send only failed entries with backoff, and return what still failed.
 */
export interface EventBus {
  publish(events: readonly PipelineEvent[]): Promise<PublishEventsResult>;
}
