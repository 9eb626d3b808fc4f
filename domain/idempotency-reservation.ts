import { isLive, leaseExpired, type IdempotencyRecord } from './idempotency.js';

/*
 * The edge's reservation: when the first copy of an order is accepted, its key and payload fingerprint
 * are stored (status ACCEPTED) before its message is sent, in one conditional write. First accepted
 * wins: a different payload under a known key is refused whether or not a worker has claimed it yet,
 * and the claim (`decideClaim`) takes an ACCEPTED record over only for the same fingerprint.
 *
 * No reservation without its message: the reservation carries the message (`pendingMessage`) and the
 * time it awaits its send (`awaitingSendSince`) until a worker claims it. A failed send releases it
 * (`isSameReservation`: only the reservation that request wrote), so the client's retry is accepted at
 * once; one that no worker claimed within its lease (the edge crashed before sending, or its release
 * failed) is sent, or released when it carries no message, by the scheduled sweep (`decideStrandedReservation`).
 */

export interface ReservationRequest {
  readonly key: string;
  readonly payloadHash: string;
  readonly now: number;
  /** How long the reservation answers same-payload copies "in progress" before one may re-send the message. */
  readonly acceptLeaseMs: number;
  readonly ttlSeconds: number;
  readonly orderId?: string;
  readonly correlationId?: string;
  /**
   * The order message's body, kept on the reservation until a worker claims it, so that a reservation
   * whose message never left (the edge crashed, or its release failed) can be sent by the sweep. Left out
   * when too large for a record (the edge keeps at most 96 KiB, as for a parked message): the sweep then releases it.
   */
  readonly message?: string;
}

/** The edge's answer to a copy of an order. Only RESERVED sends the message. */
export type ReservationDecision =
  /** First accepted (or a same-payload copy of one whose message was presumably lost): store it, send the message. */
  | { readonly kind: 'RESERVED'; readonly record: IdempotencyRecord }
  /** Known key, another payload: the first accepted one wins. */
  | { readonly kind: 'KEY_REUSED'; readonly record: IdempotencyRecord }
  /** Finished (SUCCEEDED or PARKED): the stored state is the answer. */
  | { readonly kind: 'DUPLICATE'; readonly record: IdempotencyRecord }
  /** Accepted and not finished yet. */
  | { readonly kind: 'IN_PROGRESS'; readonly record: IdempotencyRecord; readonly retryAfterMs: number };

/**
 * How long a reservation answers same-payload copies "in progress" before one of them may send the
 * message again (its first send presumed lost: the client was answered 503). A copy sent twice is
 * harmless: the worker's claim lets one through.
 */
export const DEFAULT_ACCEPT_LEASE_MS = 10_000;

/** The shortest wait an IN_PROGRESS answer asks for. */
const MIN_RETRY_AFTER_MS = 1_000;

/** What a reservation on `existing` decides. The DynamoDB adapter encodes the RESERVED cases as its write condition. */
export function decideReservation(existing: IdempotencyRecord | undefined, request: ReservationRequest): ReservationDecision {
  const { now } = request;
  if (!isLive(existing, now)) return { kind: 'RESERVED', record: reservedRecord(request) };
  if (existing.payloadHash !== request.payloadHash) return { kind: 'KEY_REUSED', record: existing };
  switch (existing.status) {
    case 'SUCCEEDED':
    case 'PARKED':
      return { kind: 'DUPLICATE', record: existing };
    case 'ACCEPTED':
      if (leaseExpired(existing, now) || isOwnReservation(existing, request)) return { kind: 'RESERVED', record: reservedRecord(request) };
      return { kind: 'IN_PROGRESS', record: existing, retryAfterMs: Math.max(MIN_RETRY_AFTER_MS, (existing.leaseExpiresAt ?? now) - now) };
    case 'INFLIGHT':
      return { kind: 'IN_PROGRESS', record: existing, retryAfterMs: Math.max(MIN_RETRY_AFTER_MS, (existing.leaseExpiresAt ?? now) - now) };
    case 'RETRY':
      return { kind: 'IN_PROGRESS', record: existing, retryAfterMs: MIN_RETRY_AFTER_MS };
  }
}

/**
 * Whether `existing` is the very record this request writes: its own write landed but the answer was lost
 * (a timeout), and the SDK's retry found it. Same payload, same reservation time, same correlation id:
 * the request is told RESERVED, not "in progress", so its message is sent and its client gets 202.
 * Two copies that matched by chance would both send the message, which is harmless: one claim wins.
 */
export function isOwnReservation(existing: IdempotencyRecord, request: ReservationRequest): boolean {
  return (
    existing.status === 'ACCEPTED' &&
    existing.payloadHash === request.payloadHash &&
    existing.createdAt === request.now &&
    existing.correlationId === request.correlationId
  );
}

/**
 * Whether `existing` is still the reservation `written` stored: same status, fingerprint, reservation time
 * and correlation id. Only then may the edge that wrote it (its send failed) or the sweep (it read it)
 * release it: a release never removes another request's reservation, nor a claimed or finished order.
 */
export function isSameReservation(existing: IdempotencyRecord | undefined, written: IdempotencyRecord): existing is IdempotencyRecord {
  return (
    existing !== undefined &&
    existing.status === 'ACCEPTED' &&
    written.status === 'ACCEPTED' &&
    existing.payloadHash === written.payloadHash &&
    existing.createdAt === written.createdAt &&
    existing.correlationId === written.correlationId
  );
}

/** What the sweep does with a reservation that may have been stranded without its message. */
export type StrandedReservationAction =
  /** Claimed, finished, or its lease still runs (the edge may be sending right now): nothing. */
  | { readonly kind: 'NONE' }
  /** No worker claimed it within its lease: send the message it carries (a second copy is harmless, one claim wins). */
  | { readonly kind: 'SEND'; readonly body: string }
  /** No worker claimed it and it carries no message to send: remove it, so the client's retry is accepted. */
  | { readonly kind: 'RELEASE' };

export function decideStrandedReservation(record: IdempotencyRecord | undefined, now: number): StrandedReservationAction {
  if (!isLive(record, now) || record.status !== 'ACCEPTED' || record.awaitingSendSince === undefined) return { kind: 'NONE' };
  if (!leaseExpired(record, now)) return { kind: 'NONE' };
  return record.pendingMessage === undefined ? { kind: 'RELEASE' } : { kind: 'SEND', body: record.pendingMessage };
}

/**
 * The reservation once the sweep sent its message: no longer awaiting a send (it has left), and leased
 * again, so that same-payload copies are answered IN_PROGRESS while the worker gets to it.
 */
export function sentReservation(record: IdempotencyRecord, leaseMs: number, now: number): IdempotencyRecord {
  const { awaitingSendSince: _since, pendingMessage: _message, ...rest } = record;
  return { ...rest, leaseExpiresAt: now + leaseMs, updatedAt: now };
}

/** A fresh record, also when it replaces a reservation whose message was presumably lost (the adapter writes it whole). */
function reservedRecord(request: ReservationRequest): IdempotencyRecord {
  const { now } = request;
  return {
    key: request.key,
    status: 'ACCEPTED',
    payloadHash: request.payloadHash,
    attempts: 0,
    leaseExpiresAt: now + request.acceptLeaseMs,
    expiresAt: Math.floor(now / 1000) + request.ttlSeconds,
    createdAt: now,
    updatedAt: now,
    awaitingSendSince: now,
    ...(request.message === undefined ? {} : { pendingMessage: request.message }),
    ...(request.orderId === undefined ? {} : { orderId: request.orderId }),
    ...(request.correlationId === undefined ? {} : { correlationId: request.correlationId }),
  };
}

/*
 * The sparse index the sweep reads: an item carries these attributes only while its reservation awaits
 * its send (the claim removes them), so the index holds the few unclaimed reservations, never the table.
 * Its partition key is a shard of the record key: every order writes the index twice (reservation,
 * claim), and one partition would cap that at about 500 orders/s; the sweep queries each shard.
 */
export const AWAITING_SEND_INDEX = 'awaiting-send';
export const AWAITING_SEND_ATTRIBUTE = 'awaitingSendSince';
export const AWAITING_SEND_SHARD_ATTRIBUTE = 'awaitingSendShard';
export const AWAITING_SEND_SHARDS = 8;

/** The index shard of a record key ("0" … "7"): FNV-1a of its UTF-16 code units. */
export function awaitingSendShard(key: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return String(hash % AWAITING_SEND_SHARDS);
}
