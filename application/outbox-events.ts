import type { IdempotencyRecord, ParkedMessage } from '../domain/idempotency.js';
import type { OutboxEntry } from '../domain/outbox.js';
import { EVENT_TYPES } from './pipeline-events.js';
import type { PipelineEvent } from './ports/event-bus.js';

/**
 * A parked message is kept on its record for a replay, up to this many UTF-8 bytes: DynamoDB items stop
 * at 400 KB. A longer body is kept truncated (and announced so); such an order cannot be replayed from
 * its record, and its full copy is the OrderParked event in the bus's archive.
 */
export const MAX_PARKED_BODY_BYTES = 96 * 1024;

const encoder = new TextEncoder();

export function parkedMessageOf(body: string): ParkedMessage {
  if (encoder.encode(body).length <= MAX_PARKED_BODY_BYTES) return { body, truncated: false };
  // Cut on a character boundary: decode the first bytes and drop a split trailing character.
  const cut = new TextDecoder().decode(encoder.encode(body).slice(0, MAX_PARKED_BODY_BYTES)).replace(/\uFFFD$/u, '');
  return { body: cut, truncated: true };
}

/**
 * An event as the outbox stores it: the whole detail, except an OrderParked's message body, which the
 * record holds once as its `parkedMessage`.
 */
export function toOutboxEntry(event: PipelineEvent): OutboxEntry {
  const { body: _body, bodyTruncated: _truncated, ...rest } = event.detail;
  const detail = event.detailType === EVENT_TYPES.parked ? rest : event.detail;
  return { eventId: event.eventId, detailType: event.detailType, source: event.source, time: event.time, detail: JSON.stringify(detail) };
}

/** The event an outbox entry announces, exactly as it would have been published directly. */
export function fromOutboxEntry(record: IdempotencyRecord, entry: OutboxEntry): PipelineEvent {
  const detail = JSON.parse(entry.detail) as Record<string, unknown>;
  const parked = entry.detailType === EVENT_TYPES.parked && record.parkedMessage !== undefined
    ? { body: record.parkedMessage.body, bodyTruncated: record.parkedMessage.truncated }
    : {};
  return { eventId: entry.eventId, source: entry.source, detailType: entry.detailType, time: entry.time, detail: { ...detail, ...parked } };
}
