import { isLive, leaseExpired, type IdempotencyRecord } from './idempotency.js';

/*
 * The edge's reservation: when the first copy of an order is accepted, its key and payload fingerprint
 * are stored (status ACCEPTED) before its message is sent, in one conditional write. First accepted
 * wins: a different payload under a known key is refused whether or not a worker has claimed it yet,
 * and the claim (`decideClaim`) takes an ACCEPTED record over only for the same fingerprint.
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
  return existing.status === 'ACCEPTED'
    && existing.payloadHash === request.payloadHash
    && existing.createdAt === request.now
    && existing.correlationId === request.correlationId;
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
    ...(request.orderId === undefined ? {} : { orderId: request.orderId }),
    ...(request.correlationId === undefined ? {} : { correlationId: request.correlationId }),
  };
}

