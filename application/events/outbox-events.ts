import type { IdempotencyRecord, ParkedMessage } from '../../domain/idempotency.js';
import type { OutboxEntry } from '../../domain/outbox.js';
import { EVENT_TYPES } from './pipeline-events.js';
import type { PipelineEvent } from '../ports/event-bus.js';

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
 * An event as the outbox stores it: the detail without what the record already holds once. An OrderParked's
 * message body is the record's `parkedMessage`; the detail's `eventId` is the entry's own, and its
 * `idempotencyKey` is the record's key (an entry is only ever stored on the record of the key it
 * announces). Both ids are about 110 bytes an entry, and DynamoDB bills every write of the record per
 * started KB of its size: with them, an order's record passed 1 KB at its completion, so each later
 * write (the relay's delivery marks) cost 2 write units instead of 1 (`npm run bench:cost` measures it).
 */
export function toOutboxEntry(event: PipelineEvent): OutboxEntry {
  const { body: _body, bodyTruncated: _truncated, ...unparked } = event.detail;
  const { eventId, idempotencyKey: _key, ...kept } = event.detailType === EVENT_TYPES.parked ? unparked : event.detail;
  // The eventId is left out only when it is the entry's own (it always is for the pipeline's events).
  const detail = eventId === event.eventId ? kept : { eventId, ...kept };
  return { eventId: event.eventId, detailType: event.detailType, source: event.source, time: event.time, detail: JSON.stringify(detail) };
}

/**
 * The event an outbox entry announces, exactly as it would have been published directly: the ids the
 * entry left to the record are put back in their place (an entry written before they were left out
 * still carries them, and keeps them).
 */
export function fromOutboxEntry(record: IdempotencyRecord, entry: OutboxEntry): PipelineEvent {
  const stored = JSON.parse(entry.detail) as Record<string, unknown>;
  const { orderId, ...rest } = stored;
  const ids = {
    eventId: stored.eventId ?? entry.eventId,
    ...(orderId === undefined ? {} : { orderId }),
    idempotencyKey: stored.idempotencyKey ?? record.key,
  };
  const parked =
    entry.detailType === EVENT_TYPES.parked && record.parkedMessage !== undefined
      ? { body: record.parkedMessage.body, bodyTruncated: record.parkedMessage.truncated }
      : {};
  return {
    eventId: entry.eventId,
    source: entry.source,
    detailType: entry.detailType,
    time: entry.time,
    detail: { ...ids, ...rest, ...parked },
  };
}
