import { hash } from 'node:crypto';
import { ValidationError } from '../../domain/errors.js';
import type { FailureInfo, OutcomeSummary } from '../../domain/idempotency.js';
import type { PipelineEvent } from '../ports/event-bus.js';

export const EVENT_TYPES = {
  published: 'OrderPublished',
  processed: 'OrderProcessed',
  failed: 'OrderFailed',
  parked: 'OrderParked',
  replayed: 'OrderReplayed',
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
  // crypto.hash (Node ≥ 20.12): the one-shot digest, several times cheaper than createHash for inputs this small.
  return hash('sha256', `${idempotencyKey}|${detailType}|${discriminator}`, 'hex').slice(0, 32);
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

/** `acceptedAt`: when the edge accepted the order (the event's own time is its commit, at the first claim). */
export function orderPublishedEvent(context: EventContext, messageId: string, acceptedAt?: number): PipelineEvent {
  return build(context, EVENT_TYPES.published, {
    messageId,
    ...(acceptedAt === undefined ? {} : { acceptedAt: new Date(acceptedAt).toISOString() }),
  });
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
  return build(
    context,
    EVENT_TYPES.parked,
    {
      category: parked.category,
      reason: parked.reason,
      messageId: parked.messageId,
      body: truncated ? parked.body.slice(0, MAX_BODY_CHARS) : parked.body,
      bodyTruncated: truncated,
    },
    parked.messageId,
  );
}

/** The fields every event's detail carries; a custom event cannot replace them. */
const ENVELOPE_FIELDS = ['eventId', 'orderId', 'idempotencyKey', 'correlationId'] as const;
const RESERVED_TYPES: ReadonlySet<string> = new Set(Object.values(EVENT_TYPES));

/**
 * An event of the project's own (a business rule announcing something, e.g. `OrderFlaggedForReview`),
 * published by PublishOrderEvents with the others: same envelope, same deterministic id (from the key,
 * the type and `discriminator`, so a re-sent copy is recognisable). The four pipeline types are reserved,
 * so consumers of OrderProcessed and the rest can trust their shape. The bus's rules route the pipeline's
 * own types; add a rule for a custom type to deliver it somewhere (every event reaches the archive).
 */
export function customOrderEvent(
  context: EventContext,
  detailType: string,
  detail: Readonly<Record<string, unknown>>,
  discriminator = '',
): PipelineEvent {
  const problems: string[] = [];
  if (!/^[A-Za-z][A-Za-z0-9.\-_ ]{0,127}$/.test(detailType))
    problems.push('detailType must be 1-128 letters, digits, spaces or . - _, starting with a letter');
  if (RESERVED_TYPES.has(detailType)) problems.push(`detailType ${detailType} is one of the pipeline's own events`);
  const clashes = ENVELOPE_FIELDS.filter((field) => Object.hasOwn(detail, field));
  if (clashes.length > 0) problems.push(`detail must not set ${clashes.join(', ')}: every event's envelope carries them`);
  if (problems.length > 0) {
    throw new ValidationError(`invalid custom event: ${problems.join('; ')}`, {
      code: 'EVENT.INVALID_CUSTOM_EVENT',
      context: { detailType, problems },
    });
  }
  return build(context, detailType, { ...detail }, discriminator);
}

/** An operator brought a parked order back; `replay` counts the replays of this key, so each is its own event. */
export function orderReplayedEvent(
  context: EventContext,
  replay: { readonly replay: number; readonly resumed: boolean; readonly previousFailure?: FailureInfo },
): PipelineEvent {
  return build(
    context,
    EVENT_TYPES.replayed,
    {
      replay: replay.replay,
      // resumed: the outcome had been committed, so only its announcement is delivered again.
      resumed: replay.resumed,
      ...(replay.previousFailure === undefined
        ? {}
        : { previousCategory: replay.previousFailure.category, previousCode: replay.previousFailure.code }),
    },
    String(replay.replay),
  );
}
