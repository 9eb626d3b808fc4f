import { createHash } from 'node:crypto';
import type { FailureInfo, OutcomeSummary } from '../domain/idempotency.js';
import type { PipelineEvent } from './ports/event-bus.js';

export const EVENT_TYPES = {
  published: 'OrderPublished',
  processed: 'OrderProcessed',
  failed: 'OrderFailed',
  parked: 'OrderParked',
} as const;

export interface EventContext {
  readonly source: string;
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly correlationId: string;
  readonly now: number;
}

/** Same key and type always give the same id, so a re-sent event can be recognised downstream. */
export function deterministicEventId(idempotencyKey: string, detailType: string, discriminator = ''): string {
  return createHash('sha256').update(`${idempotencyKey}|${detailType}|${discriminator}`).digest('hex').slice(0, 32);
}

function build(context: EventContext, detailType: string, detail: Record<string, unknown>, discriminator = ''): PipelineEvent {
  const eventId = deterministicEventId(context.idempotencyKey, detailType, discriminator);
  return {
    eventId,
    source: context.source,
    detailType,
    time: context.now,
    detail: {
      eventId,
      orderId: context.orderId,
      idempotencyKey: context.idempotencyKey,
      correlationId: context.correlationId,
      ...detail,
    },
  };
}

export function orderPublishedEvent(context: EventContext, messageId: string): PipelineEvent {
  return build(context, EVENT_TYPES.published, { messageId });
}

export function orderProcessedEvent(context: EventContext, outcome: OutcomeSummary): PipelineEvent {
  return build(context, EVENT_TYPES.processed, { outcome });
}

export function orderFailedEvent(context: EventContext, failure: FailureInfo, attempts: number): PipelineEvent {
  return build(context, EVENT_TYPES.failed, { category: failure.category, code: failure.code, attempts }, String(attempts));
}

/** Carries the message itself (bounded) so an operator reading the failure queue has what to act on. */
export function orderParkedEvent(
  context: EventContext,
  parked: { readonly category: string; readonly reason: string; readonly body: string; readonly messageId: string },
): PipelineEvent {
  const MAX_BODY_CHARS = 200_000;
  const truncated = parked.body.length > MAX_BODY_CHARS;
  return build(context, EVENT_TYPES.parked, {
    category: parked.category,
    reason: parked.reason,
    messageId: parked.messageId,
    body: truncated ? parked.body.slice(0, MAX_BODY_CHARS) : parked.body,
    bodyTruncated: truncated,
  }, parked.messageId);
}
